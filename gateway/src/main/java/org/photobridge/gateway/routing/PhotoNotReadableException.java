package org.photobridge.gateway.routing;

/** A photo that is to be served cannot be read from anywhere now. The message names no patient. */
public class PhotoNotReadableException extends RuntimeException {

    /** Why; the edge answers 404, 503 and 500 respectively. */
    public enum Reason {
        /** Purged from the gateway and no configured PACS returned it. */
        NOT_HELD,
        /** Purged from the gateway and the PACS that may hold it cannot be reached now. */
        PACS_UNREACHABLE,
        /**
         * The local copy failed decryption, or a source returned another object (SOP Instance UID or
         * Patient ID not the photo's): a security alert was raised; the edge answers 500.
         */
        INTEGRITY
    }

    private final Reason reason;

    public PhotoNotReadableException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
