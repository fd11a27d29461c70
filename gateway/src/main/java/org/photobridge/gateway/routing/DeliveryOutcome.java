package org.photobridge.gateway.routing;

/**
 * What one attempt to deliver one DICOM object to one destination came to. The outbox decides from
 * this whether to mark the delivery done, retry it later, or park it as failed.
 */
public sealed interface DeliveryOutcome {

    /** The destination confirmed storage. */
    record Stored(String detail) implements DeliveryOutcome {
        @Override
        public String message() {
            return detail;
        }
    }

    /** Worth trying again later: destination down, association refused, timeout, busy status. */
    record Retry(String reason) implements DeliveryOutcome {
        @Override
        public String message() {
            return reason;
        }
    }

    /** The destination refused this object for good (for example a failure status); needs an operator. */
    record Failed(String reason) implements DeliveryOutcome {
        @Override
        public String message() {
            return reason;
        }
    }

    /** Human-readable reason or detail; never contains patient data. */
    String message();
}
