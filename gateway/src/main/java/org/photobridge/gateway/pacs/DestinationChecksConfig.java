package org.photobridge.gateway.pacs;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code photobridge.destination-check.*} settings: how often a destination is checked (C-ECHO or HTTP probe) at most. */
@ConfigMapping(prefix = "photobridge.destination-check")
public interface DestinationChecksConfig {

    /**
     * How long a check's result stands: readiness and the administrators' view answer from it, and
     * only a request that finds it older checks the destination again, once for everyone waiting.
     */
    @WithDefault("30s")
    Duration maxAge();
}
