package org.photobridge.fhir.ehr;

/**
 * The EHR could not be reached or answered that it cannot serve now (connection refused, timeout,
 * HTTP 5xx, 408, 429): keep the publication in the outbox and retry later.
 */
public class EhrUnavailableException extends EhrException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    public EhrUnavailableException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** The HTTP status, or 0 when there was no HTTP answer (refused, timed out). */
    public int statusCode() {
        return statusCode;
    }
}
