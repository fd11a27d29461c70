package org.photobridge.gateway.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Runs the store's AES-GCM through a few thousand segments at start-up, under a throw-away key and in
 * memory only, so that the JIT has compiled the JDK's intrinsic AES-GCM path before the first photo
 * arrives. Until then every byte goes through the interpreted GHASH at about 20 MB/s, which made the
 * first uploads after a start cost over 100 ms of CPU each (docs/performance.md, benchmark 3b).
 * It runs on one low-priority daemon thread and never touches a photo, a key file or the disk.
 */
@ApplicationScoped
class CryptoWarmUp {
    private static final Logger LOG = Logger.getLogger(CryptoWarmUp.class);
    private static final int BLOB_BYTES = 4 << 20;

    private final long totalBytes;

    CryptoWarmUp(StoreConfig config) {
        this.totalBytes = config.cryptoWarmUpBytes();
    }

    void onStart(@Observes StartupEvent event) {
        if (totalBytes <= 0) {
            return;
        }
        Thread thread = new Thread(this::run, "store-crypto-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    private void run() {
        try {
            long started = System.nanoTime();
            int rounds = (int) Math.max(1, totalBytes / BLOB_BYTES);
            for (int i = 0; i < rounds; i++) {
                roundTrip(freshKeys());
            }
            LOG.debugf("store crypto warmed up: %d MiB sealed and opened in %d ms", (long) rounds * BLOB_BYTES >> 20,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // Only speed is at stake: the first photos take the slower path.
            LOG.warnf("store crypto warm-up stopped (%s); the first uploads will be slower", e.getClass().getSimpleName());
        }
    }

    static KeyRing freshKeys() throws GeneralSecurityException {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        SecretKey key = generator.generateKey();
        return KeyRing.of(key);
    }

    /** Seals {@link #BLOB_BYTES} of zeros as a blob and opens it again; returns the bytes opened. */
    static long roundTrip(KeyRing keys) throws IOException {
        var sealed = new ByteArrayOutputStream(BLOB_BYTES + (BLOB_BYTES >> 8));
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = SegmentedGcm.encrypting(keys.active(), "warm-up", sealed)) {
            for (int written = 0; written < BLOB_BYTES; written += chunk.length) {
                out.write(chunk);
            }
        }
        try (InputStream in = SegmentedGcm.decrypting(keys, "warm-up", new ByteArrayInputStream(sealed.toByteArray()))) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
