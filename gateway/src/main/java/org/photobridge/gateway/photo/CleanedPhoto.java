package org.photobridge.gateway.photo;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A photo after cleaning: upright, free of EXIF/XMP/IPTC/comments, with the facts the DICOM object
 * must state truthfully and the decision how that object stores the pixels ({@link #storage()}).
 *
 * @param encoding                  how {@code pixelData} is encoded
 * @param pixelData                 for {@link PixelEncoding#JPEG_BASELINE}: one complete JPEG stream
 *                                  (SOI to EOI) holding only the segments needed to decode; for
 *                                  {@link PixelEncoding#NATIVE}: interleaved samples (planar
 *                                  configuration 0), 16-bit samples little-endian
 * @param columns                   width after orientation was applied
 * @param rows                      height after orientation was applied
 * @param samplesPerPixel           1 or 3
 * @param photometricInterpretation of {@code pixelData} as encoded: MONOCHROME2, RGB, YBR_FULL or
 *                                  YBR_FULL_422 (the stored pixels' is {@code storage}'s)
 * @param bitsAllocated             8 or 16
 * @param bitsStored                bits actually used per sample
 * @param iccProfile                the embedded ICC profile, to become ICC Profile (0028,2000)
 * @param lossy                     the lossy compression history of these pixels
 * @param source                    what the upload was and what cleaning did to it
 * @param hints                     capture facts from EXIF that may fill gaps in the request metadata
 * @param jpegFrame                 for {@link PixelEncoding#JPEG_BASELINE}: the frame header of
 *                                  {@code pixelData}, read once by cleaning; empty for native pixels
 * @param storage                   how the DICOM object stores these pixels, decided by cleaning
 *                                  ({@link PixelStorage#of})
 */
public record CleanedPhoto(
        PixelEncoding encoding,
        byte[] pixelData,
        int columns,
        int rows,
        int samplesPerPixel,
        String photometricInterpretation,
        int bitsAllocated,
        int bitsStored,
        Optional<byte[]> iccProfile,
        LossyCompression lossy,
        SourceFacts source,
        CaptureHints hints,
        Optional<JpegFrame> jpegFrame,
        PixelStorage storage) {

    public CleanedPhoto {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(jpegFrame, "jpegFrame");
        if ((encoding == PixelEncoding.JPEG_BASELINE) != jpegFrame.isPresent()) {
            throw new IllegalArgumentException("a JPEG stream comes with its frame header, native pixels without one");
        }
        if (!PixelStorage.of(encoding, photometricInterpretation).equals(storage)) {
            throw new IllegalArgumentException("storage " + storage + " is not what " + encoding + " pixels labelled "
                    + photometricInterpretation + " are stored as");
        }
    }

    /**
     * For pixels that did not come through cleaning (tests, tools): reads the frame header of a JPEG
     * {@code pixelData} and decides the storage from the encoding and photometric interpretation.
     *
     * @throws IllegalArgumentException when JPEG {@code pixelData} has no well-formed frame header
     */
    public CleanedPhoto(PixelEncoding encoding, byte[] pixelData, int columns, int rows, int samplesPerPixel,
            String photometricInterpretation, int bitsAllocated, int bitsStored, Optional<byte[]> iccProfile,
            LossyCompression lossy, SourceFacts source, CaptureHints hints) {
        this(encoding, pixelData, columns, rows, samplesPerPixel, photometricInterpretation, bitsAllocated,
                bitsStored, iccProfile, lossy, source, hints, frameOf(encoding, pixelData),
                PixelStorage.of(encoding, photometricInterpretation));
    }

    private static Optional<JpegFrame> frameOf(PixelEncoding encoding, byte[] pixelData) {
        if (encoding != PixelEncoding.JPEG_BASELINE) {
            return Optional.empty();
        }
        try {
            return Optional.of(JpegFrame.of(pixelData));
        } catch (PhotoRejectedException e) {
            throw new IllegalArgumentException("JPEG pixel data has no usable frame header: " + e.getMessage(), e);
        }
    }

    /**
     * The bytes of the DICOM object's Pixel Data as {@link #storage()} says: {@code pixelData} itself,
     * or, for {@link PixelStorage.Form#NATIVE_DECODED_FROM_JPEG}, the JPEG stream decoded to
     * interleaved 8-bit RGB samples (decoded on every call, straight into the returned array;
     * nothing is cached). That decode holds 3 bytes a pixel: {@link PhotoCleaner#clean(java.nio.file.Path,
     * PhotoLimits, String, java.util.function.Function)} reserves it for the writer it calls.
     *
     * @throws PhotoRejectedException CORRUPT when the stream cannot be decoded completely
     */
    public byte[] storedPixelData() {
        if (storage.form() != PixelStorage.Form.NATIVE_DECODED_FROM_JPEG) {
            return pixelData;
        }
        return ImageDecoder.readJpegUpright(pixelData, columns, rows, 3, Orientation.NORMAL).samples();
    }

    /** How the cleaned pixel data is encoded; {@link #storage()} says how DICOM stores it. */
    public enum PixelEncoding {
        /** ISO 10918-1 baseline (process 1) stream. */
        JPEG_BASELINE,
        /** Uncompressed native pixels. */
        NATIVE
    }

    /**
     * Lossy compression these pixels have undergone, for Lossy Image Compression (0028,2110),
     * Ratio (0028,2112) and Method (0028,2114). Methods and ratios are in the order applied.
     */
    public record LossyCompression(boolean applied, List<String> methods, List<Double> ratios) {
        public static LossyCompression none() {
            return new LossyCompression(false, List.of(), List.of());
        }
    }

    /**
     * What the upload was and what cleaning did.
     *
     * @param format            the sniffed input format
     * @param sha256            hex SHA-256 of the uploaded bytes as received
     * @param sourceColumns     width of the input before orientation
     * @param sourceRows        height of the input before orientation
     * @param exifOrientation   EXIF orientation tag value 1..8 found (1 when absent)
     * @param reencoded         true when pixels were decoded and encoded again
     * @param removedSegments   human-readable names of what was removed, such as "APP1/Exif",
     *                          "APP1/XMP", "APP13", "COM", "tEXt" (no content, only names)
     * @param sourceBitsPerSample bits per sample of the input (JPEG precision, PNG bit depth); when
     *                          above the 8 bits of the cleaned pixels, samples were rounded to 8 bits
     */
    public record SourceFacts(
            PhotoFormat format,
            String sha256,
            int sourceColumns,
            int sourceRows,
            int exifOrientation,
            boolean reencoded,
            List<String> removedSegments,
            int sourceBitsPerSample) {

        /** For callers that predate {@code sourceBitsPerSample}: an 8-bit source. */
        public SourceFacts(PhotoFormat format, String sha256, int sourceColumns, int sourceRows,
                int exifOrientation, boolean reencoded, List<String> removedSegments) {
            this(format, sha256, sourceColumns, sourceRows, exifOrientation, reencoded, removedSegments, 8);
        }
    }

    /**
     * Capture facts read from EXIF before it was removed. Never carries GPS, serial numbers,
     * owner or artist.
     */
    public record CaptureHints(
            Optional<java.time.LocalDateTime> takenAt,
            Optional<String> manufacturer,
            Optional<String> model) {
        public static CaptureHints none() {
            return new CaptureHints(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }
}
