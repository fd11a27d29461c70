package org.photobridge.gateway.access;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Break-the-glass: how long a clinician's emergency access to one photo lasts. */
@ConfigMapping(prefix = "photobridge.break-glass")
public interface BreakGlassConfig {

    @WithDefault("PT60M")
    Duration duration();

    /** The shortest reason accepted, so "x" does not pass for a justification. */
    @WithDefault("10")
    int minReasonLength();
}
