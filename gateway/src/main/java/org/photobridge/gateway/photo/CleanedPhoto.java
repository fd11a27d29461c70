package org.photobridge.gateway.photo;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A photo after cleaning: upright, free of EXIF/XMP/IPTC/comments, with the facts the DICOM object
 * must state truthfully and the decision how that object stores the pixels ({@link #storage()}).
 *
 * <p>The pixel data is the first {@code pixelDataLength} bytes of {@code pixelArray}. A kept JPEG is
 * the upload itself, compacted in place (its metadata segments dropped by moving the rest down), so
 * its array is longer than its stream; every byte after the stream is zero (checked here), so that
 * nothing removed travels on in the array's tail. The DICOM writer writes the slice; {@link #pixelData()}
 * gives exact bytes for tests and tools.
 *
 * @param encoding                  how the pixel data is encoded
 * @param pixelArray                holds the pixel data in its first {@code pixelDataLength} bytes,
 *                                  zeros after: for {@link PixelEncoding#JPEG_BASELINE} one
 *                                  complete JPEG stream (SOI to EOI) holding only the segments
 *                                  needed to decode; for {@link PixelEncoding#NATIVE} interleaved
 *                                  samples (planar configuration 0), 16-bit samples little-endian
 * @param pixelDataLength           how many bytes of {@code pixelArray} are pixel data
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
        byte[] pixelArray,
        int pixelDataLength,
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
        Objects.requireNonNull(pixelArray, "pixelArray");
        if (pixelDataLength < 0 || pixelDataLength > pixelArray.length) {
            throw new IllegalArgumentException("pixel data length " + pixelDataLength + " outside an array of "
                    + pixelArray.length + " bytes");
        }
        for (int i = pixelDataLength; i < pixelArray.length; i++) {
            if (pixelArray[i] != 0) {
                throw new IllegalArgumentException("the pixel array holds data after its pixel data (byte " + i
                        + "): what cleaning removed must not travel on in its tail");
            }
        }
        Objects.requireNonNull(jpegFrame, "jpegFrame");
        if ((encoding == PixelEncoding.JPEG_BASELINE) != jpegFrame.isPresent()) {
            throw new IllegalArgumentException("a JPEG stream comes with its frame header, native pixels without one");
        }
        if (!PixelStorage.of(encoding, photometricInterpretation).equals(storage)) {
            throw new IllegalArgumentException("storage " + storage + " is not what " + encoding + " pixels labelled "
                    + photometricInterpretation + " are stored as");
        }
    }

    /** Pixel data that fills its array: {@code pixelDataLength} is the array's length. */
    public CleanedPhoto(PixelEncoding encoding, byte[] pixelData, int columns, int rows, int samplesPerPixel,
            String photometricInterpretation, int bitsAllocated, int bitsStored, Optional<byte[]> iccProfile,
            LossyCompression lossy, SourceFacts source, CaptureHints hints, Optional<JpegFrame> jpegFrame,
            PixelStorage storage) {
        this(encoding, pixelData, pixelData.length, columns, rows, samplesPerPixel, photometricInterpretation,
                bitsAllocated, bitsStored, iccProfile, lossy, source, hints, jpegFrame, storage);
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
        this(encoding, pixelData, pixelData.length, columns, rows, samplesPerPixel, photometricInterpretation,
                bitsAllocated, bitsStored, iccProfile, lossy, source, hints, frameOf(encoding, pixelData),
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
     * The pixel data, exactly: the array itself when the pixel data fills it, otherwise a copy of its
     * first {@link #pixelDataLength()} bytes. For tests and tools; the DICOM writer writes the slice
     * of {@link #pixelArray()} without a copy.
     */
    public byte[] pixelData() {
        return pixelDataLength == pixelArray.length ? pixelArray : Arrays.copyOf(pixelArray, pixelDataLength);
    }

    /**
     * The bytes of the DICOM object's Pixel Data as {@link #storage()} says: {@link #pixelData()},
     * or, for {@link PixelStorage.Form#NATIVE_DECODED_FROM_JPEG}, the JPEG stream decoded to
     * interleaved 8-bit RGB samples (decoded on every call, straight into the returned array;
     * nothing is cached). That decode holds 3 bytes a pixel: {@link PhotoCleaner#clean(java.nio.file.Path,
     * PhotoLimits, String, java.util.function.Function)} reserves it for the writer it calls.
     *
     * @throws PhotoRejectedException CORRUPT when the stream cannot be decoded completely
     */
    public byte[] storedPixelData() {
        if (storage.form() != PixelStorage.Form.NATIVE_DECODED_FROM_JPEG) {
            return pixelData();
        }
        return ImageDecoder.readJpegUpright(pixelArray, pixelDataLength, columns, rows, 3, Orientation.NORMAL)
                .samples();
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
