package org.photobridge.gateway.photo;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * The gateway's one image decoder: every JPEG the gateway decodes (cleaning and orientation, the
 * 4:4:4 streams DICOM stores natively, the viewer's thumbnails) goes through {@link #readJpeg}, with
 * the TwelveMonkeys JPEG reader chosen by its plugin class (docs/decisions.md, "One JPEG codec").
 * Streams are read straight from memory (ImageIO's default file cache would copy PHI to the temp
 * directory), metadata is never read, damage is refused rather than painted grey, and every reader
 * is disposed.
 */
public final class ImageDecoder {

    private ImageDecoder() {
    }

    /**
     * Decodes a JPEG stream with the TwelveMonkeys reader, which handles CMYK, YCCK and Adobe
     * inversion, after checking that its frame is the size the caller expects.
     *
     * @param expectedWidth  the width the caller knows the image to have
     * @param expectedHeight the height the caller knows the image to have
     * @param subsampling    1 for every pixel, n for every n-th pixel in each direction
     * @throws PhotoRejectedException CORRUPT when the stream is damaged, cannot be decoded, or is not
     *                                of the expected size (checked before any pixel is decoded)
     */
    public static BufferedImage readJpeg(byte[] stream, int expectedWidth, int expectedHeight, int subsampling) {
        return readJpeg(stream, stream.length, expectedWidth, expectedHeight, subsampling);
    }

    /** As {@link #readJpeg(byte[], int, int, int)}, of the stream in the first {@code length} bytes. */
    static BufferedImage readJpeg(byte[] stream, int length, int expectedWidth, int expectedHeight, int subsampling) {
        if (subsampling < 1) {
            throw new IllegalArgumentException("subsampling must be positive, was " + subsampling);
        }
        return read(stream, length, jpegReader(), "JPEG", reader -> {
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width != expectedWidth || height != expectedHeight) {
                throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT, "the JPEG image is " + width
                        + "x" + height + ", not the expected " + expectedWidth + "x" + expectedHeight);
            }
            if (subsampling == 1) {
                return null;
            }
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(subsampling, subsampling, 0, 0);
            return param;
        });
    }

    /**
     * Decodes a gray or colour JPEG stream straight into upright 8-bit samples: one copy of the
     * pixels (width × height × bands bytes), no intermediate image and no rotated copy.
     *
     * @param bands 1 for a gray stream, 3 for a colour stream decoded to sRGB as the decoder delivers it
     * @throws PhotoRejectedException CORRUPT as {@link #readJpeg}
     */
    static PixelRaster readJpegUpright(byte[] stream, int width, int height, int bands, Orientation orientation) {
        return readJpegUpright(stream, stream.length, width, height, bands, orientation);
    }

    /** As {@link #readJpegUpright(byte[], int, int, int, Orientation)}, of the first {@code length} bytes. */
    static PixelRaster readJpegUpright(byte[] stream, int length, int width, int height, int bands,
            Orientation orientation) {
        UprightRaster destination = UprightRaster.of(width, height, bands, orientation);
        BufferedImage target = destination.image();
        BufferedImage decoded = read(stream, length, jpegReader(), "JPEG", reader -> {
            if (reader.getWidth(0) != width || reader.getHeight(0) != height) {
                throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT, "the JPEG image is "
                        + reader.getWidth(0) + "x" + reader.getHeight(0) + ", not the expected " + width + "x" + height);
            }
            ImageReadParam param = reader.getDefaultReadParam();
            param.setDestination(target);
            return param;
        });
        if (decoded != target) {
            throw new IllegalStateException("the JPEG reader did not decode into the destination it was given");
        }
        return destination.upright();
    }

    static BufferedImage readPng(byte[] stream) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("no PNG reader installed");
        }
        return read(stream, stream.length, readers.next(), "PNG", reader -> null);
    }

    /** Checks what the reader found in the header and says how to read: null for the defaults. */
    private interface ReadParams {
        ImageReadParam of(ImageReader reader) throws IOException;
    }

    private static BufferedImage read(byte[] stream, int length, ImageReader reader, String format, ReadParams params) {
        List<String> damage = new ArrayList<>();
        IIOReadWarningListener warnings = (source, warning) -> {
            String text = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (text.contains("corrupt") || text.contains("premature end") || text.contains("truncat")) {
                damage.add(warning);
            }
        };
        try (ImageInputStream in = new ByteArrayImageInputStream(stream, 0, length)) {
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0, params.of(reader));
            if (!damage.isEmpty()) {
                // Decoders paint damaged regions grey and carry on; a clinical photo must not be altered silently.
                throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT,
                        "the " + format + " image data is damaged and cannot be decoded completely");
            }
            return image;
        } catch (IIOException | RuntimeException e) {
            if (e instanceof PhotoRejectedException rejected) {
                throw rejected;
            }
            throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT,
                    "the " + format + " image data cannot be decoded", e);
        } catch (IOException e) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT,
                    "the " + format + " image data cannot be read", e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader jpegReader() {
        ImageReader reader = findTwelveMonkeysJpegReader();
        if (reader == null) {
            // Plugin discovery depends on the class loader that first touched ImageIO (an issue in
            // application servers); register the reader explicitly rather than fall back silently.
            registerTwelveMonkeys();
            reader = findTwelveMonkeysJpegReader();
        }
        if (reader == null) {
            throw new IllegalStateException("the TwelveMonkeys JPEG reader is not available");
        }
        return reader;
    }

    private static ImageReader findTwelveMonkeysJpegReader() {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader candidate = it.next();
            if (candidate.getOriginatingProvider() instanceof JPEGImageReaderSpi) {
                return candidate;
            }
            candidate.dispose();
        }
        return null;
    }

    private static synchronized void registerTwelveMonkeys() {
        IIORegistry.getDefaultInstance().registerServiceProvider(new JPEGImageReaderSpi());
    }
}
