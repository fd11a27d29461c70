package org.photobridge.gateway.intake;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits and policies of photo intake. */
@ConfigMapping(prefix = "photobridge.intake")
public interface IntakeConfig {

    /** Largest accepted file, in bytes (64 MiB). Keep quarkus.http.limits.max-body-size above it. */
    @WithDefault("67108864")
    long maxFileBytes();

    /** Largest accepted width × height, read from the image header before decoding. */
    @WithDefault("250000000")
    long maxPixels();

    /**
     * Most scans a JPEG may have; progressive streams have about ten, and each scan makes the decoder
     * pass over the whole image again (422 above it).
     */
    @WithDefault("100")
    int maxJpegScans();

    /** Quality (0..1) of the one JPEG re-encoding lossy inputs get when they must be transcoded. */
    @WithDefault("0.92")
    float jpegQuality();
}
