package org.photobridge.gateway.photo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns an uploaded JPEG or PNG into a {@link CleanedPhoto}: sniffed by its bytes, checked against
 * the pixel limits from its header before decoding, stripped of every metadata segment, made
 * upright, and re-encoded only when it cannot be kept as is. Thread-safe.
 *
 * <p>Baseline 8-bit JPEGs that need no rotation keep their compressed bytes; those that need one and
 * whose edges that move to the top or left are whole MCUs keep their quantised coefficients, turned
 * by moving blocks ({@link JpegBlockTurn});
 * other JPEGs are transcoded once to baseline JPEG; PNGs become native 8-bit pixels with alpha
 * composited onto white.
 * The JPEG frame header is read once here, and how the DICOM object stores the pixels is decided
 * here ({@link CleanedPhoto#storage()}); the DICOM writer decides nothing about pixels.
 */
public final class PhotoCleaner {

    /** The JPEG quality used when a JPEG has to be re-encoded. */
    public static final float DEFAULT_JPEG_QUALITY = 0.92f;

    /**
     * Copies of the upload held at once: one, the array it was received into. A JPEG is compacted in
     * that array (its metadata dropped by moving the rest down, the tail zeroed) and a kept one is
     * written to DICOM from it ({@link CleanedPhoto#pixelArray()}); a PNG's decodable copy is counted
     * by {@link PngCleaner#memoryNeeded}. The multipart parser receives a file into one array (or, for
     * a body without Content-Length, into pieces joined once: counted there). PixelMed pads an odd
     * fragment itself, so the DICOM writer adds none.
     */
    static final int UPLOAD_COPIES = 1;
    /** Room for the DICOM attributes, the ICC profile and the writer's buffers. */
    static final long OVERHEAD_BYTES = 256L << 10;

    private final JpegCleaner jpeg;
    private final PngCleaner png;
    private final MemoryBudget budget;

    public PhotoCleaner() {
        this(DEFAULT_JPEG_QUALITY);
    }

    /** @param jpegQuality JPEG re-encode quality, 0.5..1.0 (ImageIO's scale) */
    public PhotoCleaner(float jpegQuality) {
        this(jpegQuality, MemoryBudget.shared());
    }

    /**
     * @param jpegQuality JPEG re-encode quality, 0.5..1.0 (ImageIO's scale)
     * @param budget      the memory that cleaning shares with all other image work; larger images are
     *                    rejected as too many pixels, concurrent ones wait
     */
    public PhotoCleaner(float jpegQuality, MemoryBudget budget) {
        if (!(jpegQuality >= 0.5f && jpegQuality <= 1.0f)) {
            throw new IllegalArgumentException("JPEG quality must be between 0.5 and 1.0");
        }
        this.budget = Objects.requireNonNull(budget, "budget");
        this.jpeg = new JpegCleaner(jpegQuality);
        this.png = new PngCleaner();
    }

    /**
     * Cleans one upload.
     *
     * @throws PhotoRejectedException when the upload is not an acceptable photo; its message is safe
     *                                to show to the uploader
     * @throws MemoryBusyException    when other image work held the memory budget too long
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
        return clean(upload, limits, knownSha256, cleaned -> cleaned);
    }

    /**
     * Cleans one upload read from a file (tools, fuzz targets, benchmarks) and hands the result to
     * {@code use} while holding, from the {@link MemoryBudget}, the heap that cleaning and {@code use}
     * need together; as {@link #clean(byte[], MemoryBudget.Reservation, PhotoLimits, String, Function)}.
     *
     * @param knownSha256 hex SHA-256 of the upload as received, or null to compute it here
     * @param use         works with the cleaned photo; it must not take memory from the budget itself
     * @throws MemoryBusyException when other image work held the budget too long
     */
    public <T> T clean(Path upload, PhotoLimits limits, String knownSha256, Function<CleanedPhoto, T> use) {
        long size = sizeOf(upload);
        requireFits(size);
        MemoryBudget.Reservation reservation = budget.reserve(memoryFor(size));
        try {
            byte[] bytes = read(upload);
            Prepared prepared = prepare(bytes, bytes.length, limits);
            if (!reservation.tryGrowTo(prepared.needed())) {
                // Wait for the whole amount holding nothing (holding while waiting could deadlock),
                // and without the bytes, which are read again.
                long needed = prepared.needed();
                reservation.close();
                bytes = null;
                prepared = null;
                reservation = budget.reserve(needed);
                bytes = read(upload);
                prepared = prepare(bytes, bytes.length, limits);
                reservation.growTo(prepared.needed(), bytes.length); // the same file: held already
            }
            return finish(bytes, bytes.length, prepared, limits, knownSha256, use);
        } finally {
            reservation.close();
        }
    }

    /**
     * Cleans one upload held in memory and hands the result to {@code use} (typically: write its DICOM
     * object). The caller reserved, before it read the bytes, at least {@link #memoryFor} their length
     * from this cleaner's budget; the reservation grows here to what cleaning and {@code use} need
     * together, as estimated from the header before any pixel is decoded, and stays the caller's to
     * close. Uploads that could never fit are rejected as too many pixels; others wait for their turn
     * ({@link MemoryBudget.Reservation#growTo}: holding no budget, the upload kept meanwhile).
     *
     * @param upload      the file as received, filling the array; a JPEG is compacted in it (the
     *                      array then holds the cleaned stream and zeros: hash it before)
     * @param held        the caller's reservation from this cleaner's budget
     * @param knownSha256 hex SHA-256 of the upload as received, or null to compute it here
     * @param use         works with the cleaned photo; it must not take memory from the budget itself
     * @throws MemoryBusyException when other image work held the budget too long
     */
    public <T> T clean(byte[] upload, MemoryBudget.Reservation held, PhotoLimits limits, String knownSha256,
            Function<CleanedPhoto, T> use) {
        return clean(upload, upload.length, held, limits, knownSha256, use);
    }

    /**
     * As {@link #clean(byte[], MemoryBudget.Reservation, PhotoLimits, String, Function)}, for a file
     * in the first {@code length} bytes of {@code upload} (received into an array sized from the
     * request's Content-Length). The caller reserved at least {@link #memoryFor} the array's length.
     */
    public <T> T clean(byte[] upload, int length, MemoryBudget.Reservation held, PhotoLimits limits,
            String knownSha256, Function<CleanedPhoto, T> use) {
        Prepared prepared = prepare(upload, length, limits);
        held.growTo(prepared.needed(), upload.length);
        return finish(upload, length, prepared, limits, knownSha256, use);
    }

    /** An upload sniffed and (a JPEG) parsed, and the heap cleaning it will hold in all. */
    private record Prepared(PhotoFormat format, JpegCleaner.Inspected jpeg, long needed) {
    }

    private Prepared prepare(byte[] upload, int length, PhotoLimits limits) {
        if (length < 0 || length > upload.length) {
            throw new IllegalArgumentException("length " + length + " outside an array of " + upload.length);
        }
        // The whole array is held, also the part of it past the file.
        long base = requireFits(upload.length);
        PhotoFormat format = FormatSniffer.sniff(upload, length);
        // A JPEG's marker structure is parsed once, here, and cleaned from.
        JpegCleaner.Inspected jpegStream = format == PhotoFormat.JPEG ? JpegCleaner.inspect(upload, length, limits)
                : null;
        long needed = base + switch (format) {
            case JPEG -> JpegCleaner.memoryNeeded(jpegStream);
            case PNG -> PngCleaner.memoryNeeded(upload, length, limits);
        };
        if (!budget.fits(needed)) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_MANY_PIXELS,
                    "cleaning this image needs about " + (needed >> 20) + " MiB but this gateway allows "
                            + (budget.totalBytes() >> 20) + " MiB for image work; send a smaller image");
        }
        return new Prepared(format, jpegStream, needed);
    }

    private <T> T finish(byte[] upload, int length, Prepared prepared, PhotoLimits limits, String knownSha256,
            Function<CleanedPhoto, T> use) {
        String sha256 = knownSha256 != null ? knownSha256 : sha256(upload, length);
        CleanedPhoto cleaned = switch (prepared.format()) {
            case JPEG -> jpeg.clean(prepared.jpeg(), sha256);
            case PNG -> png.clean(upload, length, sha256, limits);
        };
        return use.apply(cleaned);
    }

    /**
     * The heap to reserve for an upload of {@code size} bytes before it is read: its copies while it
     * is cleaned and written, and the writer's overhead. Cleaning grows the reservation for pixels.
     */
    public static long memoryFor(long size) {
        return UPLOAD_COPIES * size + OVERHEAD_BYTES;
    }

    /** The largest upload whose {@link #memoryFor} the budget could ever hold (0 when none fits). */
    public static long largestUpload(MemoryBudget budget) {
        return Math.max(0, (budget.totalBytes() - OVERHEAD_BYTES) / UPLOAD_COPIES);
    }

    /** The memory budget this cleaner takes from; uploads are reserved from it before they are read. */
    public MemoryBudget budget() {
        return budget;
    }

    /** {@link #memoryFor} the size, or FILE_TOO_LARGE when this gateway's budget could never hold it. */
    private long requireFits(long size) {
        long base = memoryFor(size);
        if (!budget.fits(base)) {
            throw tooLargeForMemory(size, budget);
        }
        return base;
    }

    /** The refusal of a file whose copies alone would not fit the budget. */
    public static PhotoRejectedException tooLargeForMemory(long size, MemoryBudget budget) {
        return new PhotoRejectedException(PhotoRejectedException.Reason.FILE_TOO_LARGE, "the file is " + size
                + " bytes; this gateway's image memory (" + (budget.totalBytes() >> 20) + " MiB) cannot hold it");
    }

    private static long sizeOf(Path upload) {
        try {
            return Files.size(upload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
    }

    private static byte[] read(Path upload) {
        try {
            return Files.readAllBytes(upload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
    }

    private static String sha256(byte[] bytes, int length) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
