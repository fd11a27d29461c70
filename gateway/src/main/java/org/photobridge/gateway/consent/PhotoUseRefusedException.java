package org.photobridge.gateway.consent;

/**
 * A photo the caller may see in principle, but not for this use: withdrawn, or the patient's
 * consent does not cover the purpose. The message names the rule, never the patient.
 */
public class PhotoUseRefusedException extends RuntimeException {

    /** Why; the edge answers 403 with its own problem type for each. */
    public enum Reason {
        /** The patient withdrew consent to the photo's clinical use. */
        WITHDRAWN,
        /** The patient's consent does not cover this purpose. */
        NOT_COVERED
    }

    private final Reason reason;

    public PhotoUseRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
