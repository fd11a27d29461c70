package org.photobridge.gateway.photo;

import java.time.Duration;

/**
 * Image work that could not get memory in time because other work holds the {@link MemoryBudget}:
 * nothing was done, and the caller may try again after {@link #retryAfter()} (HTTP 503).
 */
public class MemoryBusyException extends RuntimeException {

    private final Duration retryAfter;

    public MemoryBusyException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
