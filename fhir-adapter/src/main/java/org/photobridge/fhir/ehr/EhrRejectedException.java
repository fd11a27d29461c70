package org.photobridge.fhir.ehr;

import java.util.List;

/**
 * The EHR answered with a 4xx: sending the same request again will fail again. An operator has to
 * look at {@link #diagnostics()} (the EHR's OperationOutcome) and fix the data or the configuration.
 * The message holds only the status and issue codes, never resource content; the diagnostics are
 * the EHR's own words and may quote the resource, so store them with the outbox entry, do not log them.
 */
public class EhrRejectedException extends EhrException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;
    private final List<String> diagnostics;

    public EhrRejectedException(String message, int statusCode, List<String> diagnostics, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.diagnostics = List.copyOf(diagnostics);
    }

    public int statusCode() {
        return statusCode;
    }

    /** OperationOutcome.issue.diagnostics (or details.text) as the EHR sent them. */
    public List<String> diagnostics() {
        return diagnostics;
    }
}
