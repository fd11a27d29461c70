package org.photobridge.gateway.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where encrypted photo bytes are kept until every destination confirms, and for how long after. */
@ConfigMapping(prefix = "photobridge.store")
public interface StoreConfig {

    /** Directory of encrypted blobs. Must be on durable storage; shared between replicas. */
    Path directory();

    /**
     * File holding the active master key, AES-256, base64 (32 bytes): every new blob is encrypted
     * under a key derived from it. Required: there is no built-in key. Must be readable by the
     * gateway's user only (mode 0600 or 0400): anything looser stops the start-up. The local stack
     * generates one with mode 0600.
     */
    Path keyFile();

    /**
     * Files of master keys that were active before: blobs and signed forms still under them stay
     * readable until the re-encryption job (docs/operations.md, "Rotating the storage key") moved
     * them to the active key. Same format and permissions as the key file.
     */
    Optional<List<Path>> previousKeyFiles();

    /**
     * How old an unfinished blob ({@code .incoming}, left by a crash or a failed write) must be before
     * the sweep deletes it, so replicas sharing the directory do not delete each other's writes in
     * progress. Zero for a store that one gateway uses alone.
     */
    @WithDefault("PT10M")
    Duration incomingGrace();

    /**
     * Whether new blobs are written with direct I/O ({@code O_DIRECT}: straight to the device, not
     * copied into the page cache first) where the directory's file system takes it; a probe at start-up
     * falls back to the page cache where it does not (tmpfs before Linux 6.6). Either way a blob is
     * forced to disk before the commit that refers to it.
     */
    @WithDefault("true")
    boolean directIo();

    /** How long bytes stay after every destination confirmed storage. Default: purge at once. */
    @WithDefault("PT0S")
    Duration retentionAfterStored();

    /**
     * Bytes the store's AES-GCM seals and opens at start-up (a throw-away key, in memory only), so the
     * JIT has compiled the JDK's intrinsic path before the first photo ({@link CryptoWarmUp}); 0: off.
     */
    @WithDefault("100663296")
    long cryptoWarmUpBytes();
}
