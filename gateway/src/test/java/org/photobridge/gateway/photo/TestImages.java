package org.photobridge.gateway.photo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Builds the test photos in code: scenes, JPEG and PNG encodings, and metadata segments. */
public final class TestImages {

    public static final String ARTIST = "ARTIST-SECRET-Dr-Who";
    public static final String BODY_SERIAL = "SERIAL-SECRET-4711";
    public static final String OWNER = "OWNER-SECRET-Jane-Doe";
    public static final String LENS_SERIAL = "LENS-SECRET-0815";
    public static final String GPS_DATUM = "GPSDATUM-SECRET";
    public static final String THUMBNAIL_COMMENT = "THUMB-SECRET";
    public static final String XMP_CREATOR = "XMP-SECRET-creator";
    public static final String IPTC_TEXT = "IPTC-SECRET-caption";
    public static final String COMMENT = "COMMENT-SECRET patient Jane Doe MRN-0042";
    public static final String TRAILER = "TRAILER-SECRET";

    /** Width and height of the upright test scene. */
    public static final int W = 64;
    public static final int H = 48;

    private TestImages() {
    }

    // ---------------------------------------------------------------- scenes

    /** White scene with a red block top-left, green top-right and blue bottom-right. */
    public static BufferedImage scene() {
        var image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.RED);
        g.fillRect(0, 0, W / 4, H / 4);
        g.setColor(Color.GREEN);
        g.fillRect(W - W / 4, 0, W / 4, H / 4);
        g.setColor(Color.BLUE);
        g.fillRect(W - W / 4, H - H / 4, W / 4, H / 4);
        g.dispose();
        return image;
    }

    /** The same scene in gray levels: dark block top-left, white elsewhere. */
    public static BufferedImage grayScene() {
        var image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, W / 4, H / 4);
        g.dispose();
        return image;
    }

    /**
     * The image a camera stores for an upright scene when it records the given EXIF orientation,
     * derived from the EXIF definitions of row 0 and column 0.
     */
    public static BufferedImage storedFor(BufferedImage upright, int orientation) {
        int uw = upright.getWidth();
        int uh = upright.getHeight();
        boolean swap = orientation >= 5;
        var stored = new BufferedImage(swap ? uh : uw, swap ? uw : uh, upright.getType());
        for (int uy = 0; uy < uh; uy++) {
            for (int ux = 0; ux < uw; ux++) {
                int[] s = switch (orientation) {
                    case 1 -> new int[] {ux, uy};
                    case 2 -> new int[] {uw - 1 - ux, uy};
                    case 3 -> new int[] {uw - 1 - ux, uh - 1 - uy};
                    case 4 -> new int[] {ux, uh - 1 - uy};
                    case 5 -> new int[] {uy, ux};
                    case 6 -> new int[] {uy, uw - 1 - ux};
                    case 7 -> new int[] {uh - 1 - uy, uw - 1 - ux};
                    case 8 -> new int[] {uh - 1 - uy, ux};
                    default -> throw new IllegalArgumentException();
                };
                stored.setRGB(s[0], s[1], upright.getRGB(ux, uy));
            }
        }
        return stored;
    }

    // ---------------------------------------------------------------- JPEG

    public enum Chroma { SUBSAMPLED_420, FULL_444 }

    public static byte[] jpeg(BufferedImage image) {
        return jpeg(image, Chroma.SUBSAMPLED_420, false);
    }

    /** A JFIF JPEG from the JDK encoder with the chosen chroma sampling, baseline or progressive. */
    public static byte[] jpeg(BufferedImage image, Chroma chroma, boolean progressive) {
        ImageWriter writer = jdkJpegWriter();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            param.setProgressiveMode(progressive ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
            IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
            if (chroma == Chroma.FULL_444) {
                String format = "javax_imageio_jpeg_image_1.0";
                Node tree = metadata.getAsTree(format);
                Node components = ((Element) tree).getElementsByTagName("componentSpec").item(0).getParentNode();
                for (Node c = components.getFirstChild(); c != null; c = c.getNextSibling()) {
                    ((Element) c).setAttribute("HsamplingFactor", "1");
                    ((Element) c).setAttribute("VsamplingFactor", "1");
                }
                metadata.setFromTree(format, tree);
            }
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * An Adobe-style CMYK JPEG: four components stored inverted (255 = no ink) with an Adobe APP14
     * segment (transform 0). The left half is pure cyan ink, the right half has no ink.
     */
    public static byte[] adobeCmykJpeg() {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H, 4, null);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int cyan = x < W / 2 ? 255 : 0;
                raster.setPixel(x, y, new int[] {255 - cyan, 255, 255, 255});
            }
        }
        ImageWriter writer = jdkJpegWriter();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        byte[] adobe = {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        return insertAfterSoi(out.toByteArray(), segment(0xEE, adobe));
    }

    public static ImageWriter jdkJpegWriter() {
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter writer = it.next();
            if (writer.getClass().getName().startsWith("com.sun.imageio")) {
                return writer;
            }
        }
        throw new IllegalStateException("JDK JPEG writer missing");
    }

    public static byte[] segment(int marker, byte[] payload) {
        int length = payload.length + 2;
        byte[] out = new byte[payload.length + 4];
        out[0] = (byte) 0xFF;
        out[1] = (byte) marker;
        out[2] = (byte) (length >> 8);
        out[3] = (byte) length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    public static byte[] insertAfterSoi(byte[] jpeg, byte[]... segments) {
        var out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (byte[] s : segments) {
            out.writeBytes(s);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    public static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * An APP1 Exif segment with everything a phone or DSLR records: make, model, orientation,
     * artist, an Exif IFD (date, body and lens serials, owner), a GPS IFD and an IFD1 thumbnail.
     */
    public static byte[] richExif(int orientation, boolean bigEndian) {
        var tiff = new TiffBuilder(bigEndian);
        var ifd0 = tiff.ifd();
        var exifIfd = tiff.ifd();
        var gpsIfd = tiff.ifd();
        var ifd1 = tiff.ifd();
        ifd0.ascii(0x010F, "Canon")
                .ascii(0x0110, "EOS R5")
                .shortValue(0x0112, orientation)
                .ascii(0x013B, ARTIST)
                .pointer(0x8769, exifIfd)
                .pointer(0x8825, gpsIfd)
                .next(ifd1);
        exifIfd.ascii(0x9003, "2026:11:20 10:11:12")
                .ascii(0xA430, OWNER)
                .ascii(0xA431, BODY_SERIAL)
                .ascii(0xA435, LENS_SERIAL);
        gpsIfd.ascii(0x0001, "N")
                .rationals(0x0002, 51, 1, 30, 1, 1234, 100)
                .ascii(0x0012, GPS_DATUM);
        ifd1.shortValue(0x0103, 6).thumbnail(thumbnail());
        return segment(0xE1, concat(ascii("Exif\0\0"), tiff.build()));
    }

    /** A small JPEG of the scene with an identifying comment, as cameras embed in IFD1. */
    public static byte[] thumbnail() {
        var small = new BufferedImage(16, 12, BufferedImage.TYPE_3BYTE_BGR);
        small.createGraphics().drawImage(scene(), 0, 0, 16, 12, null);
        return insertAfterSoi(jpeg(small), segment(0xFE, ascii(THUMBNAIL_COMMENT)));
    }

    public static byte[] xmp() {
        String xml = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
                + "<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/' dc:creator='" + XMP_CREATOR
                + "'/></rdf:RDF></x:xmpmeta>";
        return segment(0xE1, concat(ascii("http://ns.adobe.com/xap/1.0/\0"), ascii(xml)));
    }

    public static byte[] photoshopIptc() {
        byte[] iptc = concat(new byte[] {0x1C, 0x02, 0x78, 0, (byte) IPTC_TEXT.length()}, ascii(IPTC_TEXT));
        byte[] resource = concat(ascii("8BIM"), new byte[] {0x04, 0x04, 0, 0},
                new byte[] {0, 0, 0, (byte) iptc.length}, iptc, iptc.length % 2 == 1 ? new byte[] {0} : new byte[0]);
        return segment(0xED, concat(ascii("Photoshop 3.0\0"), resource));
    }

    public static byte[] comment() {
        return segment(0xFE, ascii(COMMENT));
    }

    public static byte[] srgbProfile() {
        return ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
    }

    /** The profile split over {@code count} APP2 ICC_PROFILE segments, written out of order. */
    public static byte[][] iccChunks(byte[] profile, int count) {
        byte[][] segments = new byte[count][];
        int size = (profile.length + count - 1) / count;
        for (int i = 0; i < count; i++) {
            byte[] part = Arrays.copyOfRange(profile, i * size, Math.min(profile.length, (i + 1) * size));
            segments[count - 1 - i] = segment(0xE2,
                    concat(ascii("ICC_PROFILE\0"), new byte[] {(byte) (i + 1), (byte) count}, part));
        }
        return segments;
    }

    public static byte[] mpf() {
        return segment(0xE2, concat(ascii("MPF\0"), new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0}));
    }

    /** Every kind of metadata a photo can carry, around a JPEG that needs the given orientation. */
    public static byte[] jpegWithAllMetadata(BufferedImage stored, int orientation) {
        byte[][] icc = iccChunks(srgbProfile(), 2);
        byte[] jpeg = insertAfterSoi(jpeg(stored), richExif(orientation, true), xmp(), icc[0], icc[1], mpf(),
                photoshopIptc(), comment(), segment(0xE5, ascii("VENDOR-SECRET")));
        return concat(jpeg, ascii(TRAILER));
    }

    /** The entropy-coded bytes of a single-scan JPEG: from the end of the SOS segment to EOI. */
    public static byte[] entropyCodedData(byte[] jpeg) {
        int pos = 2;
        while (true) {
            int marker = jpeg[pos + 1] & 0xFF;
            int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            pos += 2 + length;
            if (marker == 0xDA) {
                int end = lastIndexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xD9});
                return Arrays.copyOfRange(jpeg, pos, end);
            }
        }
    }

    /** The SOF marker codes present in a JPEG, found by walking its marker segments. */
    public static List<Integer> sofMarkers(byte[] jpeg) {
        var markers = new java.util.ArrayList<Integer>();
        int pos = 2;
        while (pos + 4 <= jpeg.length) {
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                markers.add(marker);
            }
            pos += 2 + (((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF));
        }
        return markers;
    }

    public static BufferedImage decode(byte[] encoded) {
        try {
            return ImageIO.read(new java.io.ByteArrayInputStream(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- PNG

    /**
     * A PNG from raw samples (rows without filter bytes, big-endian 16-bit samples), with extra
     * chunks before and after the image data.
     */
    public static byte[] png(int width, int height, int bitDepth, int colourType, byte[] samples,
            List<byte[]> before, List<byte[]> after) {
        int rowBytes = samples.length / height;
        var filtered = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            filtered.write(0);
            filtered.write(samples, y * rowBytes, rowBytes);
        }
        var out = new ByteArrayOutputStream();
        out.writeBytes(PngChunks.SIGNATURE);
        out.writeBytes(pngChunk("IHDR", ihdr(width, height, bitDepth, colourType)));
        before.forEach(out::writeBytes);
        out.writeBytes(pngChunk("IDAT", deflate(filtered.toByteArray())));
        after.forEach(out::writeBytes);
        out.writeBytes(pngChunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    public static byte[] ihdr(long width, long height, int bitDepth, int colourType) {
        return concat(be32(width), be32(height), new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
    }

    public static byte[] pngChunk(String type, byte[] data) {
        byte[] typeBytes = ascii(type);
        var crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return concat(be32(data.length), typeBytes, data, be32(crc.getValue()));
    }

    public static byte[] deflate(byte[] data) {
        var deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    public static byte[] be32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    /** A PNG written by ImageIO (Adam7-interlaced when asked). */
    public static byte[] imageIoPng(BufferedImage image, boolean interlaced) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(interlaced ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- bytes

    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean contains(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0) >= 0;
    }

    public static int count(byte[] haystack, byte[] needle) {
        int n = 0;
        for (int i = indexOf(haystack, needle, 0); i >= 0; i = indexOf(haystack, needle, i + 1)) {
            n++;
        }
        return n;
    }

    public static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static int lastIndexOf(byte[] haystack, byte[] needle) {
        int last = -1;
        for (int i = indexOf(haystack, needle, 0); i >= 0; i = indexOf(haystack, needle, i + 1)) {
            last = i;
        }
        return last;
    }

    /** Interleaved 8-bit samples, row by row, as CleanedPhoto's native encoding. */
    public static byte[] samples(BufferedImage image, int samples) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] out = new byte[width * height * samples];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (samples == 1) {
                    out[i++] = (byte) image.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    out[i++] = (byte) (rgb >> 16);
                    out[i++] = (byte) (rgb >> 8);
                    out[i++] = (byte) rgb;
                }
            }
        }
        return out;
    }
}
