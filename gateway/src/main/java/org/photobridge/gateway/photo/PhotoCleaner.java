package org.photobridge.gateway.photo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns an uploaded JPEG or PNG into a {@link CleanedPhoto}: sniffed by its bytes, checked against
 * the pixel limits from its header before decoding, stripped of every metadata segment, made
 * upright, and re-encoded only when it cannot be kept as is. Thread-safe.
 *
 * <p>Baseline 8-bit JPEGs that need no rotation keep their compressed bytes; other JPEGs are
 * transcoded once to baseline JPEG; PNGs become native 8-bit pixels with alpha composited onto white.
 * The JPEG frame header is read once here, and how the DICOM object stores the pixels is decided
 * here ({@link CleanedPhoto#storage()}); the DICOM writer decides nothing about pixels.
 */
public final class PhotoCleaner {

    /** The JPEG quality used when a JPEG has to be re-encoded. */
    public static final float DEFAULT_JPEG_QUALITY = 0.92f;

    private final JpegCleaner jpeg;
    private final PngCleaner png;

    public PhotoCleaner() {
        this(DEFAULT_JPEG_QUALITY);
    }

    /** @param jpegQuality JPEG re-encode quality, 0.5..1.0 (ImageIO's scale) */
    public PhotoCleaner(float jpegQuality) {
        this(jpegQuality, Runtime.getRuntime().maxMemory() / 2);
    }

    /**
     * @param jpegQuality       JPEG re-encode quality, 0.5..1.0 (ImageIO's scale)
     * @param decodeBudgetBytes heap that concurrent decodes may hold together; larger images are
     *                          rejected as too many pixels, concurrent ones wait
     */
    public PhotoCleaner(float jpegQuality, long decodeBudgetBytes) {
        if (!(jpegQuality >= 0.5f && jpegQuality <= 1.0f)) {
            throw new IllegalArgumentException("JPEG quality must be between 0.5 and 1.0");
        }
        var budget = new DecodeBudget(decodeBudgetBytes);
        this.jpeg = new JpegCleaner(jpegQuality, budget);
        this.png = new PngCleaner(budget);
    }

    /**
     * Cleans one upload.
     *
     * @throws PhotoRejectedException when the upload is not an acceptable photo; its message is safe
     *                                to show to the uploader
     * @throws UncheckedIOException   when the upload cannot be read from disk
     */
    public CleanedPhoto clean(Path upload, PhotoLimits limits) {
        return clean(upload, limits, null);
    }

    /**
     * Cleans one upload whose SHA-256 the caller already computed (intake hashes first, to answer a
     * repeated upload without cleaning it), so the bytes are not hashed twice.
     *
     * @param knownSha256 hex SHA-256 of the upload as received, or null to compute it here
     */
    public CleanedPhoto clean(Path upload, PhotoLimits limits, String knownSha256) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(upload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
        String sha256 = knownSha256 != null ? knownSha256 : sha256(bytes);
        return switch (FormatSniffer.sniff(bytes)) {
            case JPEG -> jpeg.clean(bytes, sha256, limits);
            case PNG -> png.clean(bytes, sha256, limits);
        };
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
