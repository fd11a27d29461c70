package org.photobridge.gateway.audit;

/**
 * An audit entry could not be made durable (the database refused it, or did not commit it in time).
 * What was to be audited must not be answered as done.
 */
public class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message) {
        super(message);
    }

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
