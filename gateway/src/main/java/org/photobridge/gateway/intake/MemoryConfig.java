package org.photobridge.gateway.intake;

import java.time.Duration;
import java.util.OptionalLong;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The one memory budget that every decode, render and fetch of a photo takes its heap from. */
@ConfigMapping(prefix = "photobridge.memory")
public interface MemoryConfig {

    /** Share of the JVM's maximum heap (-Xmx) that image work may hold at once. */
    @WithDefault("0.5")
    double heapFraction();

    /** The budget in bytes, instead of {@link #heapFraction()}, when set. */
    OptionalLong budgetBytes();

    /** How many requests may wait for image memory at once; one more gets 503 with Retry-After. */
    @WithDefault("64")
    int queueLength();

    /** How long one request may wait for image memory before it gets 503 with Retry-After. */
    @WithDefault("120s")
    Duration maxWait();

    /** The Retry-After a request refused for memory is given. */
    @WithDefault("10s")
    Duration retryAfter();
}
