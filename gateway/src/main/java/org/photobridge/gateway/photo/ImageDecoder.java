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
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an already validated, metadata-free JPEG or PNG stream with ImageIO. Streams are read
 * straight from memory (ImageIO's default file cache would copy PHI to the temp directory), metadata
 * is never read, and every reader is disposed.
 */
final class ImageDecoder {

    private ImageDecoder() {
    }

    /** Decodes a JPEG with the TwelveMonkeys reader, which handles CMYK, YCCK and Adobe inversion. */
    static BufferedImage readJpeg(byte[] stream) {
        return read(stream, jpegReader(), "JPEG");
    }

    static BufferedImage readPng(byte[] stream) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("no PNG reader installed");
        }
        return read(stream, readers.next(), "PNG");
    }

    private static BufferedImage read(byte[] stream, ImageReader reader, String format) {
        List<String> damage = new ArrayList<>();
        IIOReadWarningListener warnings = (source, warning) -> {
            String text = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (text.contains("corrupt") || text.contains("premature end") || text.contains("truncat")) {
                damage.add(warning);
            }
        };
        try (ImageInputStream in = new ByteArrayImageInputStream(stream)) {
            reader.addIIOReadWarningListener(warnings);
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
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
