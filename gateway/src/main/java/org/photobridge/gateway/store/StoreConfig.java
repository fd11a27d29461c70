package org.photobridge.gateway.store;

import java.nio.file.Path;
import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where encrypted photo bytes are kept until every destination confirms, and for how long after. */
@ConfigMapping(prefix = "photobridge.store")
public interface StoreConfig {

    /** Directory of encrypted blobs. Must be on durable storage; shared between replicas. */
    Path directory();

    /**
     * File holding the AES-256 key, base64 (32 bytes). Required: there is no built-in key. The local
     * stack generates one with mode 0600.
     */
    Path keyFile();

    /** How long bytes stay after every destination confirmed storage. Default: purge at once. */
    @WithDefault("PT0S")
    Duration retentionAfterStored();
}
