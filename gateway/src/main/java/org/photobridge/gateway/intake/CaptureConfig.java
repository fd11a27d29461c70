package org.photobridge.gateway.intake;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** What the capture pages are offered: the protocol checklists. */
@ConfigMapping(prefix = "photobridge.capture")
public interface CaptureConfig {

    /**
     * A JSON file of capture protocols replacing the built-in {@code protocols/capture-protocols.json}
     * (same format, docs/vocabularies.md); checked at start-up, a bad file stops the gateway.
     */
    Optional<String> protocolsFile();
}
