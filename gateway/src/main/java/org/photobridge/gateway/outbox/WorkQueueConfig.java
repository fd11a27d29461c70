package org.photobridge.gateway.outbox;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the work queue runs and retries (the keys kept their {@code photobridge.routing} names). */
@ConfigMapping(prefix = "photobridge.routing")
public interface WorkQueueConfig {

    /** How often the queue looks for due work (new work wakes it at once). */
    @WithDefault("5s")
    Duration pollInterval();

    /** Wait before the first retry; doubles with each failed attempt, with jitter. */
    @WithDefault("5s")
    Duration initialBackoff();

    /** Longest wait between retries. */
    @WithDefault("10m")
    Duration maxBackoff();

    /** Attempts before work that keeps failing transiently is parked as FAILED. */
    @WithDefault("100")
    int maxAttempts();

    /**
     * How long a gateway instance holds work it is doing before others may take it; longer than the
     * slowest attempt (destination time-outs). A restarted instance releases its own leases at once.
     */
    @WithDefault("5m")
    Duration lease();

    /**
     * Stable name of this gateway instance in leases (default: host name and HTTP port). Replicas
     * sharing a database need distinct names; a restarted instance should keep its name.
     */
    Optional<String> instanceId();

    /**
     * Items claimed at once by one worker. Small enough that a backlog is shared among the workers
     * (parallel PACS associations), large enough that one worker sends several photos over one association.
     */
    @WithDefault("5")
    int batchSize();

    /**
     * Worker threads of this instance, each claiming and doing work on its own; as many as a DIMSE
     * destination's {@code associations} so that each can have an association of its own.
     */
    @WithDefault("3")
    int workers();

    /** Uploads before deliveries on a busy gateway ({@link IntakePriority}). */
    IntakePriorityConfig intakePriority();

    /** {@code photobridge.routing.intake-priority.*}. */
    interface IntakePriorityConfig {

        /**
         * Whether deliveries to a PACS yield to uploads in flight on this gateway; off, they run with
         * all {@code workers} whatever arrives.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Longest a due delivery is held back for uploads: while uploads keep arriving, one delivery
         * starts at least this often, so a backlog always moves.
         */
        @WithDefault("1s")
        Duration maxDelay();
    }
}
