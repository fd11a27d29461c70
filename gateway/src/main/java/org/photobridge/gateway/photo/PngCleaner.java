package org.photobridge.gateway.photo;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.photobridge.gateway.photo.CleanedPhoto.LossyCompression;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.CleanedPhoto.SourceFacts;

/**
 * Cleans a PNG upload into native 8-bit pixels: gray stays one sample (MONOCHROME2), colour and
 * palette images become RGB, 16-bit samples are rounded to 8 bits, and transparency is composited
 * onto white because DICOM photographs have no alpha channel. The result is never lossy-compressed.
 */
final class PngCleaner {

    PngCleaner() {
    }

    /**
     * Heap that cleaning this upload and writing its DICOM object will hold besides copies of the
     * upload itself, from its header: the file rebuilt from its critical chunks for the decoder (at
     * most the upload's size), the decoder's image (every channel, 16-bit samples as two bytes), the
     * 8-bit copy, and the upright copy when the photo must be turned.
     *
     * @throws PhotoRejectedException as {@link #clean}, for what the header alone shows
     */
    static long memoryNeeded(byte[] upload, PhotoLimits limits) {
        return memoryNeeded(upload, upload.length, limits);
    }

    /** As {@link #memoryNeeded(byte[], PhotoLimits)}, of the file in the first {@code length} bytes. */
    static long memoryNeeded(byte[] upload, int length, PhotoLimits limits) {
        PngChunks.Header header = PngChunks.parse(upload, length).header();
        HeaderLimits.enforce(header.width(), header.height(), limits);
        long pixels = header.width() * header.height();
        int channels = switch (header.colourType()) {
            case 0, 3 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            default -> 4;
        };
        long decoded = pixels * channels * (header.bitDepth() == 16 ? 2 : 1);
        int samplesPerPixel = header.isColour() ? 3 : 1;
        // A palette decodes to indices but DecodedPixels expands it; the upright copy may be needed.
        return length + decoded + 2 * pixels * samplesPerPixel;
    }

    /** Decodes, flattens to 8 bits and makes upright; the caller holds what {@link #memoryNeeded} says. */
    private static PixelRaster decodeUpright(byte[] decodable, PngChunks.Header header, int samplesPerPixel,
            Orientation orientation) {
        BufferedImage image = ImageDecoder.readPng(decodable);
        if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT,
                    "the PNG image data does not match the size its header declares");
        }
        PixelRaster stored = DecodedPixels.flattenedOnWhite(image, samplesPerPixel);
        image = null; // let the decoder's copy go before the rotated one is allocated
        return orientation.apply(stored);
    }

    CleanedPhoto clean(byte[] upload, String sha256, PhotoLimits limits) {
        return clean(upload, upload.length, sha256, limits);
    }

    /** Cleans the PNG file in the first {@code length} bytes of {@code upload}. */
    CleanedPhoto clean(byte[] upload, int length, String sha256, PhotoLimits limits) {
        PngChunks png = PngChunks.parse(upload, length);
        PngChunks.Header header = png.header();
        HeaderLimits.enforce(header.width(), header.height(), limits);

        var decodable = new ArrayList<PngChunks.Chunk>();
        Set<String> removed = new LinkedHashSet<>();
        ExifFacts exif = null;
        Optional<byte[]> iccp = Optional.empty();
        boolean srgb = false;
        for (PngChunks.Chunk chunk : png.chunks()) {
            switch (chunk.type()) {
                case "IHDR", "IDAT", "IEND", "tRNS" -> decodable.add(chunk);
                case "PLTE" -> {
                    if (header.isPalette()) {
                        decodable.add(chunk);
                    } else {
                        removed.add(chunk.type()); // a suggested palette for a truecolour image
                    }
                }
                default -> {
                    removed.add(chunk.type());
                    if (chunk.type().equals("eXIf") && exif == null) {
                        exif = ExifReader.fromTiff(upload, chunk.dataOffset(), chunk.dataLength());
                    } else if (chunk.type().equals("iCCP") && iccp.isEmpty()) {
                        iccp = IccProfiles.fromPngIccp(upload, chunk.dataOffset(), chunk.dataLength());
                    } else if (chunk.type().equals("sRGB")) {
                        srgb = true;
                    }
                }
            }
        }
        if (png.trailingBytes() > 0) {
            removed.add("data after IEND");
        }
        exif = exif == null ? ExifFacts.NONE : exif;
        Orientation orientation = Orientation.fromExif(exif.orientation());
        IccProfiles.Family family = header.isColour() ? IccProfiles.Family.RGB : IccProfiles.Family.GRAY;
        Optional<byte[]> icc = IccProfiles.usableFor(iccp, family);
        if (icc.isEmpty() && srgb && header.isColour()) {
            icc = Optional.of(IccProfiles.srgb());
        }

        int samplesPerPixel = header.isColour() ? 3 : 1;
        // The decoder only ever sees critical chunks and tRNS: text, EXIF and profile chunks, which
        // ImageIO would otherwise inflate into metadata, never reach it.
        PixelRaster upright = decodeUpright(png.rebuild(decodable), header, samplesPerPixel, orientation);
        var source = new SourceFacts(PhotoFormat.PNG, sha256, (int) header.width(), (int) header.height(),
                orientation.exifValue(), true, List.copyOf(removed), header.bitDepth());
        String photometric = samplesPerPixel == 1 ? JpegPhotometric.MONOCHROME2 : JpegPhotometric.RGB;
        return new CleanedPhoto(PixelEncoding.NATIVE, upright.samples(), upright.width(), upright.height(),
                samplesPerPixel, photometric, 8, 8, icc, LossyCompression.none(), source, exif.hints(),
                Optional.empty(), PixelStorage.of(PixelEncoding.NATIVE, photometric));
    }
}
