package org.photobridge.gateway.pacs;

/**
 * What one exchange with a PACS came to: stored (or deleted), worth trying again, or refused for
 * good. The message says where and why for an operator; it names configuration (destination, base
 * URL, AE titles), status codes and UIDs, never patient data. The work queue's handlers turn it
 * into their own outcome; this package knows nothing of the queue.
 */
public sealed interface PacsOutcome {

    String message();

    /** The PACS confirmed. */
    record Done(String message) implements PacsOutcome {
    }

    /** Worth trying again later (PACS down, time-out, transient refusal). */
    record Retry(String message) implements PacsOutcome {
    }

    /** Refused for good: the object, the request or the configuration needs changing first. */
    record Failed(String message) implements PacsOutcome {
    }
}
