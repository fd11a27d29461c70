package org.photobridge.gateway.viewer;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.photo.BaselineJpegEncoder;
import org.photobridge.gateway.photo.ImageDecoder;
import org.photobridge.gateway.photo.PhotoLimits;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.photo.PixelStorage;

/**
 * Turns a stored PhotoBridge VL photo (DICOM Part 10 bytes) into JPEGs for viewers: the full-size
 * rendering and a thumbnail. A JPEG Baseline object's rendering is its own embedded JPEG stream,
 * byte for byte (plus the object's ICC profile as APP2 when the stream has none), so the viewer sees
 * exactly what the PACS holds without a second lossy generation. Outputs carry no EXIF; inputs have
 * none (intake strips it).
 *
 * <p>Memory: frames over {@link PhotoLimits} are refused before any decoding; thumbnails of JPEG
 * objects are decoded with source subsampling, so a 100-megapixel photo costs a few megabytes.
 *
 * <p>JPEG is decoded and encoded by the photo package's one codec ({@link ImageDecoder},
 * {@link BaselineJpegEncoder}), as everywhere else in the gateway.
 */
public final class PhotoRenderer {

    /** A JPEG and its size. */
    public record Jpeg(byte[] bytes, int width, int height) {
    }

    public static final float JPEG_QUALITY = 0.9f;

    /** What {@link #memoryNeeded} assumes for an object whose size was not recorded. */
    public static final long UNKNOWN_OBJECT_BYTES = org.photobridge.gateway.routing.PhotoSources.UNKNOWN_OBJECT_BYTES;
    private static final long RENDER_OVERHEAD_BYTES = 32L << 20;

    private static final String JPEG_BASELINE = PixelStorage.JPEG_BASELINE;
    private static final Set<String> NATIVE_SYNTAXES = Set.of(PixelStorage.EXPLICIT_VR_LITTLE_ENDIAN, "1.2.840.10008.1.2");
    private static final Set<String> JPEG_PHOTOMETRICS = Set.of("MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422");
    private static final Set<String> NATIVE_PHOTOMETRICS = Set.of("MONOCHROME2", "RGB");
    private static final byte[] ICC_SIGNATURE = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final int ICC_CHUNK = 65_519; // 65535 - 2 (length) - 12 (signature) - 2 (sequence, count)

    private final PhotoLimits limits;

    public PhotoRenderer() {
        this(PhotoLimits.DEFAULT);
    }

    public PhotoRenderer(PhotoLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Heap that fetching one stored object of {@code objectBytes} and rendering it holds: the
     * object, PixelMed's copy of its pixel data, and the output (a JPEG stream copied with its
     * profile, or an encoding of native pixels no larger than them); thumbnails of JPEG frames are
     * decoded subsampled and fit the overhead. Callers hold this from the {@code MemoryBudget}
     * across the fetch and the rendering.
     *
     * @param objectBytes the Part 10 object's size as stored, or null when not known
     */
    public static long memoryNeeded(Long objectBytes) {
        long bytes = objectBytes == null || objectBytes < 1 ? UNKNOWN_OBJECT_BYTES : objectBytes;
        return 3 * bytes + RENDER_OVERHEAD_BYTES;
    }

    /** The full-size photo as a JPEG. */
    public Jpeg rendered(byte[] part10) throws UnrenderablePhotoException {
        Frame frame = frame(part10);
        if (frame.jpeg() != null) {
            return new Jpeg(withIccProfile(frame.jpeg(), frame.iccProfile()), frame.columns(), frame.rows());
        }
        return encode(nativeImage(frame), frame.iccProfile());
    }

    /**
     * The photo scaled so its longer side is at most {@code maxSide} pixels (never enlarged), aspect
     * ratio kept, as a JPEG.
     */
    public Jpeg thumbnail(byte[] part10, int maxSide) throws UnrenderablePhotoException {
        if (maxSide < 1) {
            throw new IllegalArgumentException("maxSide must be positive, was " + maxSide);
        }
        Frame frame = frame(part10);
        double scale = Math.min(1.0, (double) maxSide / Math.max(frame.columns(), frame.rows()));
        int width = Math.max(1, (int) Math.round(frame.columns() * scale));
        int height = Math.max(1, (int) Math.round(frame.rows() * scale));
        BufferedImage source = frame.jpeg() != null
                ? decodeJpeg(frame, Math.max(1, Math.min(frame.columns() / (2 * width), frame.rows() / (2 * height))))
                : nativeImage(frame);
        return encode(scale(source, width, height), frame.iccProfile());
    }

    // ---------------------------------------------------------------- reading the object

    /** The one frame of the object: a JPEG stream, or native interleaved samples. */
    private record Frame(int columns, int rows, int samples, String photometric, byte[] jpeg, byte[] samplesData,
            byte[] iccProfile) {
    }

    private Frame frame(byte[] part10) throws UnrenderablePhotoException {
        AttributeList list;
        try {
            list = DicomTags.read(new ByteArrayInputStream(part10));
        } catch (IOException | RuntimeException e) {
            throw new UnrenderablePhotoException("not a readable DICOM Part 10 object: " + e.getMessage(), e);
        }
        String syntax = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int samples = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 0);
        String photometric = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation).strip();
        if (columns < 1 || rows < 1) {
            throw new UnrenderablePhotoException("the object has no image (Rows/Columns missing)");
        }
        if (columns > limits.maxDimension() || rows > limits.maxDimension()
                || (long) columns * rows > limits.maxPixels()) {
            throw new UnrenderablePhotoException("the image is " + columns + "x" + rows
                    + ", over the gateway's pixel limits; not rendered");
        }
        if (integer(list, TagFromName.BitsAllocated) != 8 || integer(list, TagFromName.BitsStored) != 8
                || integer(list, TagFromName.PixelRepresentation) != 0
                || Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1) != 1) {
            throw new UnrenderablePhotoException("only single-frame 8-bit unsigned photos are rendered");
        }
        if ((samples == 1) != "MONOCHROME2".equals(photometric) || (samples != 1 && samples != 3)) {
            throw new UnrenderablePhotoException(samples + " samples per pixel as " + photometric + " is not rendered");
        }
        byte[] icc = list.get(TagFromName.ICCProfile) == null ? null : bytes(list, TagFromName.ICCProfile);
        if (JPEG_BASELINE.equals(syntax)) {
            if (!JPEG_PHOTOMETRICS.contains(photometric)
                    || !(list.getPixelData() instanceof OtherByteAttributeMultipleCompressedFrames pixels)) {
                throw new UnrenderablePhotoException("JPEG object with photometric " + photometric
                        + " or without encapsulated pixel data");
            }
            byte[][] frames = pixels.getFrames();
            if (frames == null || frames.length != 1) {
                throw new UnrenderablePhotoException("expected one JPEG frame");
            }
            return new Frame(columns, rows, samples, photometric, trimmedAfterEoi(frames[0]), null, icc);
        }
        if (NATIVE_SYNTAXES.contains(syntax)) {
            if (!NATIVE_PHOTOMETRICS.contains(photometric)) {
                throw new UnrenderablePhotoException("native pixel data as " + photometric + " is not rendered");
            }
            if (samples == 3 && Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PlanarConfiguration, 0) != 0) {
                throw new UnrenderablePhotoException("colour-by-plane pixel data is not rendered");
            }
            byte[] data = list.getPixelData() == null ? null : bytes(list, TagFromName.PixelData);
            if (data == null || data.length < (long) columns * rows * samples) {
                throw new UnrenderablePhotoException("pixel data is shorter than " + columns + "x" + rows + "x" + samples);
            }
            return new Frame(columns, rows, samples, photometric, null, data, icc);
        }
        throw new UnrenderablePhotoException("transfer syntax " + syntax + " is not rendered");
    }

    private static int integer(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleIntegerValueOrDefault(list, tag, -1);
    }

    private static byte[] bytes(AttributeList list, AttributeTag tag) throws UnrenderablePhotoException {
        try {
            return list.get(tag).getByteValues();
        } catch (Exception e) {
            throw new UnrenderablePhotoException("cannot read " + tag + ": " + e.getMessage(), e);
        }
    }

    /** The stream up to its EOI: a fragment is padded to even length after the EOI (PS3.5 A.4). */
    private static byte[] trimmedAfterEoi(byte[] stream) {
        int n = stream.length;
        boolean paddedAfterEoi = n >= 3 && stream[n - 1] == 0 && stream[n - 2] == (byte) 0xD9 && stream[n - 3] == (byte) 0xFF;
        return paddedAfterEoi ? Arrays.copyOf(stream, n - 1) : stream;
    }

    // ---------------------------------------------------------------- pixels

    /** The JPEG frame decoded, every {@code subsampling}-th pixel in each direction. */
    private static BufferedImage decodeJpeg(Frame frame, int subsampling) throws UnrenderablePhotoException {
        try {
            return ImageDecoder.readJpeg(frame.jpeg(), frame.columns(), frame.rows(), subsampling);
        } catch (PhotoRejectedException e) {
            throw new UnrenderablePhotoException("the JPEG frame cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** Native interleaved samples wrapped as an image without copying them. */
    private static BufferedImage nativeImage(Frame frame) {
        int samples = frame.samples();
        ColorSpace space = ColorSpace.getInstance(samples == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        var model = new ComponentColorModel(space, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        int[] offsets = samples == 1 ? new int[] {0} : new int[] {0, 1, 2};
        WritableRaster raster = Raster.createInterleavedRaster(
                new DataBufferByte(frame.samplesData(), frame.columns() * frame.rows() * samples),
                frame.columns(), frame.rows(), frame.columns() * samples, samples, offsets, null);
        return new BufferedImage(model, raster, false, null);
    }

    /**
     * Scales down in halving steps with bilinear interpolation, then one last step to the exact size:
     * smooth like an area average, without the aliasing of one big bilinear step.
     */
    static BufferedImage scale(BufferedImage source, int width, int height) {
        boolean gray = source.getColorModel().getNumComponents() == 1;
        int type = gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
        BufferedImage current = source;
        int w = source.getWidth();
        int h = source.getHeight();
        if (w == width && h == height && current.getType() == type) {
            return current;
        }
        do {
            w = Math.max(width, w / 2);
            h = Math.max(height, h / 2);
            var next = new BufferedImage(w, h, type);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(current, 0, 0, w, h, null);
            } finally {
                g.dispose();
            }
            current = next;
        } while (w != width || h != height);
        return current;
    }

    private static Jpeg encode(BufferedImage image, byte[] iccProfile) throws UnrenderablePhotoException {
        try {
            byte[] jpeg = BaselineJpegEncoder.encode(image, JPEG_QUALITY);
            return new Jpeg(withIccProfile(jpeg, iccProfile), image.getWidth(), image.getHeight());
        } catch (RuntimeException e) {
            throw new UnrenderablePhotoException("cannot encode the JPEG: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- ICC profile

    /**
     * The stream with the object's ICC profile as APP2 ICC_PROFILE segments after SOI and any JFIF
     * APP0, unless there is no profile or the stream already carries one. Without it, browsers would
     * show a wide-gamut photo (Display P3, Adobe RGB) as if it were sRGB.
     */
    static byte[] withIccProfile(byte[] jpeg, byte[] icc) {
        if (icc == null || icc.length == 0 || jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return jpeg;
        }
        int insertAt = 2;
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF) {
            int marker = jpeg[at + 1] & 0xFF;
            if (marker < 0xE0 || marker > 0xEF) {
                break; // icc segments belong among the leading APPn segments
            }
            int length = ((jpeg[at + 2] & 0xFF) << 8) | (jpeg[at + 3] & 0xFF);
            if (marker == 0xE2 && startsWithAt(jpeg, at + 4, ICC_SIGNATURE)) {
                return jpeg; // already tagged
            }
            if (marker == 0xE0 && at == 2) {
                insertAt = at + 2 + length; // keep JFIF first
            }
            at += 2 + length;
        }
        int chunks = (icc.length + ICC_CHUNK - 1) / ICC_CHUNK;
        if (chunks > 255) {
            return jpeg;
        }
        var out = new ByteArrayOutputStream(jpeg.length + icc.length + chunks * 18);
        out.write(jpeg, 0, insertAt);
        for (int i = 0; i < chunks; i++) {
            int from = i * ICC_CHUNK;
            int size = Math.min(ICC_CHUNK, icc.length - from);
            int length = 2 + ICC_SIGNATURE.length + 2 + size;
            out.write(0xFF);
            out.write(0xE2);
            out.write(length >> 8);
            out.write(length & 0xFF);
            out.write(ICC_SIGNATURE, 0, ICC_SIGNATURE.length);
            out.write(i + 1);
            out.write(chunks);
            out.write(icc, from, size);
        }
        out.write(jpeg, insertAt, jpeg.length - insertAt);
        return out.toByteArray();
    }

    private static boolean startsWithAt(byte[] bytes, int at, byte[] prefix) {
        if (at + prefix.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
