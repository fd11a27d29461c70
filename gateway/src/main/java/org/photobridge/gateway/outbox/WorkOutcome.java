package org.photobridge.gateway.outbox;

/** What one attempt at a work item came to. */
public sealed interface WorkOutcome {

    String message();

    /** The receiver confirmed. */
    record Done(String message) implements WorkOutcome {
    }

    /** Worth trying again later (receiver down, time-out, transient refusal). */
    record Retry(String message) implements WorkOutcome {
    }

    /** Refused for good; parked as FAILED with this reason. */
    record Failed(String message) implements WorkOutcome {
    }
}
