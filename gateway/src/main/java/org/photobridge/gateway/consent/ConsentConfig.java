package org.photobridge.gateway.consent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How consent is enforced at capture. */
@ConfigMapping(prefix = "photobridge.consent")
public interface ConsentConfig {

    /**
     * {@code require}: no active consent covering clinical care means 422 at upload;
     * {@code warn}: the photo is accepted and flagged; {@code off}: not checked at capture.
     * Viewing and exports are always checked.
     */
    @WithDefault("require")
    CapturePolicy capturePolicy();

    /** The capture policies. */
    enum CapturePolicy {
        REQUIRE, WARN, OFF
    }
}
