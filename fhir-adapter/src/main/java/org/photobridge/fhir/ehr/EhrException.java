package org.photobridge.fhir.ehr;

/** A call to the EHR's FHIR server did not succeed; the subtype says whether retrying can help. */
public abstract class EhrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected EhrException(String message, Throwable cause) {
        super(message, cause);
    }
}
