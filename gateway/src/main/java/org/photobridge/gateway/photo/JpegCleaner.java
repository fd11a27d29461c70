package org.photobridge.gateway.photo;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.photobridge.gateway.photo.CleanedPhoto.LossyCompression;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.CleanedPhoto.SourceFacts;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * Cleans a JPEG upload: keeps an upright 8-bit baseline stream byte for byte minus its metadata;
 * makes a baseline stream that needs its EXIF orientation applied upright by moving its DCT blocks
 * ({@link JpegBlockTurn}) where its size allows; and transcodes everything else (progressive,
 * extended, CMYK/YCCK, odd layouts, a rotation the blocks cannot make) once to baseline.
 */
final class JpegCleaner {

    static final String ISO_10918_1 = "ISO_10918_1";
    private static final Logger LOG = Logger.getLogger(JpegCleaner.class);

    private final float quality;

    JpegCleaner(float quality) {
        this.quality = quality;
    }

    /**
     * A stream's structure and what cleaning will do with it, read without decoding a pixel. The
     * upload is parsed once: {@link PhotoCleaner} sizes its memory from this and cleans from it.
     */
    record Inspected(JpegSegments stream, JpegSegments.Segment sof, JpegFrame frame, KeptMetadata kept,
                             Orientation orientation, Optional<String> photometric, boolean keepAsIs,
                             Optional<String> turnedPhotometric) {
        /** True when the orientation is applied by moving blocks rather than by transcoding. */
        boolean turnsBlocks() {
            return turnedPhotometric.isPresent();
        }

        int components() {
            return frame.components().size();
        }

        long pixels() {
            return (long) frame.width() * frame.height();
        }
    }

    /** @throws PhotoRejectedException as {@link #clean}, for what the header alone shows */
    static Inspected inspect(byte[] upload, PhotoLimits limits) {
        return inspect(upload, upload.length, limits);
    }

    /** As {@link #inspect(byte[], PhotoLimits)}, of the file in the first {@code length} bytes. */
    static Inspected inspect(byte[] upload, int length, PhotoLimits limits) {
        JpegSegments stream = JpegSegments.parse(upload, length, limits.maxJpegScans());
        JpegSegments.Segment sof = JpegFrame.locate(stream);
        JpegFrame frame = JpegFrame.read(stream, sof);
        requireSupportedVariant(frame);
        HeaderLimits.enforce(frame.width(), frame.height(), limits);
        var kept = KeptMetadata.find(stream);
        Orientation orientation = Orientation.fromExif(kept.exif().orientation());
        Optional<String> photometric = JpegPhotometric.of(frame, kept.jfif() != null, kept.adobeTransform(stream));
        boolean keepAsIs = frame.sofMarker() == JpegFrame.BASELINE && orientation == Orientation.NORMAL
                && photometric.isPresent();
        // Moving blocks keeps the layout transposed: it must still be one DICOM can label (4:2:2 turned
        // a quarter is not), and the source one a kept stream could have.
        Optional<String> turnedPhotometric = !keepAsIs && photometric.isPresent()
                && JpegBlockTurn.fits(frame, orientation)
                ? JpegPhotometric.of(JpegBlockTurn.turnedFrame(frame, orientation), kept.jfif() != null,
                        kept.adobeTransform(stream))
                : Optional.empty();
        return new Inspected(stream, sof, frame, kept, orientation, photometric, keepAsIs, turnedPhotometric);
    }

    /**
     * Heap that cleaning this upload and writing its DICOM object will hold besides copies of the
     * upload itself, estimated from its header: for a stream kept as it is, the tables of its scan
     * check ({@link JpegScanCheck}), which decodes nothing into pixels; the native
     * samples for a 4:4:4 stream that DICOM stores decoded; for a transcode, the upright samples
     * (decoded straight into place, {@link UprightRaster}) and the encoder's output buffers; for
     * CMYK, which the decoder converts through images of its own, 16 bytes a pixel.
     *
     * @throws PhotoRejectedException as {@link #clean}, for what the header alone shows
     */
    static long memoryNeeded(byte[] upload, PhotoLimits limits) {
        return memoryNeeded(inspect(upload, limits));
    }

    /** As {@link #memoryNeeded(byte[], PhotoLimits)}, from a stream already inspected. */
    static long memoryNeeded(Inspected inspected) {
        int uploadLength = inspected.stream().length();
        long pixels = inspected.pixels();
        if (inspected.keepAsIs()) {
            var storage = PixelStorage.of(PixelEncoding.JPEG_BASELINE, inspected.photometric().get());
            return storage.form() == PixelStorage.Form.NATIVE_DECODED_FROM_JPEG ? pixels * 3 : JpegScanCheck.WORKING_BYTES;
        }
        if (inspected.components() == 4) {
            return pixels * 16;
        }
        long samples = pixels * inspected.components();
        // The encoder's buffer as it doubles (the old and the new one at once) and its final copy, in
        // which the stream is then compacted (no further copy): each about the size of the input for
        // a camera's photo, at least an eighth of a byte a sample. The upload itself is compacted in
        // place for the decoder (PhotoCleaner.UPLOAD_COPIES).
        long output = 3 * Math.max(uploadLength, samples / 8);
        long transcode = samples + output;
        if (inspected.turnsBlocks()) {
            // The turn, or the transcode it falls back to (one after the other, never both held); a
            // 4:4:4 result is decoded to native samples when its DICOM object is written.
            var storage = PixelStorage.of(PixelEncoding.JPEG_BASELINE, inspected.turnedPhotometric().get());
            long decoded = storage.form() == PixelStorage.Form.NATIVE_DECODED_FROM_JPEG ? pixels * 3 : 0;
            return Math.max(JpegBlockTurn.memoryNeeded(inspected.frame(), uploadLength) + decoded, transcode);
        }
        return transcode;
    }

    CleanedPhoto clean(byte[] upload, String sha256, PhotoLimits limits) {
        return clean(inspect(upload, limits), sha256);
    }

    /** Cleans a stream {@link #inspect inspected} before (the upload is not parsed again). */
    CleanedPhoto clean(Inspected inspected, String sha256) {
        JpegSegments stream = inspected.stream();
        JpegSegments.Segment sof = inspected.sof();
        JpegFrame frame = inspected.frame();
        var kept = inspected.kept();
        ExifFacts exif = kept.exif();
        Orientation orientation = inspected.orientation();
        Set<String> removed = removedSegments(stream, kept, sof);

        Predicate<JpegSegments.Segment> needed = segment -> segment == sof || isTableOrScan(segment.marker());
        boolean keepAsIs = inspected.keepAsIs();
        Optional<String> photometric = inspected.photometric();
        PixelStorage keptStorage = keepAsIs ? PixelStorage.of(PixelEncoding.JPEG_BASELINE, photometric.get()) : null;
        if (keepAsIs && keptStorage.form() == PixelStorage.Form.ENCAPSULATED_JPEG) {
            // These bytes reach the PACS without ever being decoded here (a 4:4:4 stream is decoded
            // when its DICOM object is written): a stream whose scans are damaged would be stored as
            // a clinical photo that no viewer can show whole. Found by fuzzing (docs/security.md).
            // The check reads the tables and scans that the rebuilt stream keeps byte for byte.
            JpegScanCheck.requireComplete(stream, frame);
        }
        int components = frame.components().size();
        // Everything still read from the upload's segments is read before it is compacted in place.
        Optional<byte[]> icc = IccProfiles.fromJpegChunks(stream, kept.iccChunks());
        List<byte[]> leading = kept.leadingSegments(stream);
        IccProfiles.Family family = components == 1 ? IccProfiles.Family.GRAY : IccProfiles.Family.RGB;
        if (inspected.turnsBlocks()) {
            Optional<CleanedPhoto> turned = turnBlocks(inspected, leading, sha256, removed,
                    IccProfiles.usableFor(icc, family));
            if (turned.isPresent()) {
                // The upload's array is compacted as on every other path, so that nothing removed
                // stays in it, whoever still holds it.
                stream.compactInPlace(leading, needed);
                return turned.get();
            }
        }
        // CMYK/YCCK decoding needs the profile to convert colours (the result is sRGB); the other
        // layouts decode without it so that pixels stay in the colour space of the profile we pass on.
        Predicate<JpegSegments.Segment> keep = !keepAsIs && components == 4
                ? needed.or(kept.iccChunks()::contains) : needed;
        // The upload becomes the cleaned stream: no second photo-sized array (docs/performance.md, issue 10).
        byte[] array = stream.bytes();
        int length = stream.compactInPlace(leading, keep);
        var source = new SourceFacts(PhotoFormat.JPEG, sha256, frame.width(), frame.height(),
                orientation.exifValue(), !keepAsIs, List.copyOf(removed), frame.precision());

        if (keepAsIs) {
            var lossy = new LossyCompression(true, List.of(ISO_10918_1),
                    List.of(ratio(frame.width(), frame.height(), components, length)));
            return new CleanedPhoto(PixelEncoding.JPEG_BASELINE, array, length, frame.width(), frame.height(),
                    components, photometric.get(), 8, 8, IccProfiles.usableFor(icc, family), lossy, source,
                    exif.hints(), Optional.of(frame), keptStorage);
        }

        double sourceRatio = ratio(frame.width(), frame.height(), components, length);
        Optional<byte[]> outputIcc = components == 4 ? Optional.of(IccProfiles.srgb()) : IccProfiles.usableFor(icc, family);
        return transcode(array, length, frame, orientation, sourceRatio, outputIcc, source, exif);
    }

    /**
     * The stream without its metadata, as a kept photo stores it: SOI, bare JFIF and Adobe headers,
     * the frame header, tables and scans byte for byte, EOI; in a new array, the upload untouched
     * (tests and benchmarks; cleaning compacts the upload in place instead).
     */
    static byte[] withoutMetadata(Inspected inspected) {
        JpegSegments stream = inspected.stream();
        var kept = inspected.kept();
        return stream.rebuild(kept.leadingSegments(stream),
                segment -> segment == inspected.sof() || isTableOrScan(segment.marker()));
    }

    /**
     * The photo made upright by moving its blocks, its pixels the camera's own; empty where the turn
     * cannot code the stream's values faithfully (the caller transcodes). The upload is left as it
     * was for that: the turned stream is a new array.
     */
    private static Optional<CleanedPhoto> turnBlocks(Inspected inspected, List<byte[]> leading, String sha256,
            Set<String> removed, Optional<byte[]> icc) {
        JpegFrame frame = inspected.frame();
        Orientation orientation = inspected.orientation();
        // Damage in the upload is refused here, as for a stream kept as it is; the turn reads only
        // what this check has proved decodes.
        JpegScanCheck.requireComplete(inspected.stream(), frame);
        Optional<JpegBlockTurn.Turned> turned = JpegBlockTurn.apply(inspected.stream(), frame, orientation, leading);
        if (turned.isEmpty()) {
            return Optional.empty();
        }
        JpegFrame upright = JpegBlockTurn.turnedFrame(frame, orientation);
        int components = upright.components().size();
        // What we wrote must decode completely too: it goes to the PACS undecoded. Were it not to, the
        // fault would be ours, not the photo's: the photo is transcoded instead, and the fault logged.
        JpegSegments written;
        try {
            written = JpegSegments.parse(turned.get().bytes(), turned.get().length(), 1);
            JpegScanCheck.requireComplete(written, JpegFrame.read(written, JpegFrame.locate(written)));
        } catch (PhotoRejectedException e) {
            LOG.errorf("the block turn (orientation %d, %dx%d) wrote a stream that fails the scan check (%s);"
                    + " transcoding instead", orientation.exifValue(), frame.width(), frame.height(), e.getMessage());
            return Optional.empty();
        }
        var ours = verifiedBaseline(written, upright.width(), upright.height(), components);
        var source = new SourceFacts(PhotoFormat.JPEG, sha256, frame.width(), frame.height(),
                orientation.exifValue(), false, List.copyOf(removed), frame.precision());
        var lossy = new LossyCompression(true, List.of(ISO_10918_1),
                List.of(ratio(upright.width(), upright.height(), components, ours.length())));
        return Optional.of(new CleanedPhoto(PixelEncoding.JPEG_BASELINE, ours.stream(), ours.length(),
                upright.width(), upright.height(), components, ours.photometric(), 8, 8, icc, lossy, source,
                inspected.kept().exif().hints(), Optional.of(ours.frame()),
                PixelStorage.of(PixelEncoding.JPEG_BASELINE, ours.photometric())));
    }

    /** Decodes, makes upright and encodes once; the caller holds the memory {@link #memoryNeeded} says. */
    private CleanedPhoto transcode(byte[] decodeStream, int decodeLength, JpegFrame frame, Orientation orientation,
            double sourceRatio, Optional<byte[]> icc, SourceFacts source, ExifFacts exif) {
        int components = frame.components().size();
        PixelRaster upright;
        if (components == 4) {
            BufferedImage image = ImageDecoder.readJpeg(decodeStream, decodeLength, frame.width(), frame.height(), 1);
            if (image.getWidth() != frame.width() || image.getHeight() != frame.height()) {
                throw new PhotoRejectedException(Reason.CORRUPT,
                        "the JPEG image data does not match the size its header declares");
            }
            PixelRaster stored = DecodedPixels.rgb(image);
            image = null; // let the decoder's copy go before the rotated one is allocated
            upright = orientation.apply(stored);
        } else {
            upright = ImageDecoder.readJpegUpright(decodeStream, decodeLength, frame.width(), frame.height(), components,
                    orientation);
        }
        decodeStream = null;
        byte[] encoded = BaselineJpegEncoder.encode(upright, quality);
        int width = upright.width();
        int height = upright.height();
        int samplesPerPixel = upright.samplesPerPixel();
        upright = null; // the encoded stream is all that is needed from here on
        var ours = verifiedBaseline(encoded, width, height, samplesPerPixel);
        var lossy = new LossyCompression(true, List.of(ISO_10918_1, ISO_10918_1),
                List.of(sourceRatio, ratio(width, height, samplesPerPixel, ours.length())));
        return new CleanedPhoto(PixelEncoding.JPEG_BASELINE, ours.stream(), ours.length(), width, height,
                samplesPerPixel, ours.photometric(), 8, 8, icc, lossy, source, exif.hints(), Optional.of(ours.frame()),
                PixelStorage.of(PixelEncoding.JPEG_BASELINE, ours.photometric()));
    }

    private record Encoded(byte[] stream, int length, JpegFrame frame, String photometric) {
    }

    /**
     * Parses what the encoder wrote, so that what we declare (process, size, photometric
     * interpretation) is what the stream really holds, and keeps only the segments needed to decode.
     */
    private static Encoded verifiedBaseline(byte[] encoded, int width, int height, int samplesPerPixel) {
        return verifiedBaseline(JpegSegments.parse(encoded), width, height, samplesPerPixel);
    }

    /** As {@link #verifiedBaseline(byte[], int, int, int)}, of a stream parsed before. */
    private static Encoded verifiedBaseline(JpegSegments stream, int width, int height, int samplesPerPixel) {
        byte[] encoded = stream.bytes();
        JpegSegments.Segment sof = JpegFrame.locate(stream);
        JpegFrame frame = JpegFrame.read(stream, sof);
        var kept = KeptMetadata.find(stream);
        Optional<String> photometric = JpegPhotometric.of(frame, kept.jfif() != null, kept.adobeTransform(stream));
        if (frame.sofMarker() != JpegFrame.BASELINE || frame.precision() != 8 || frame.width() != width
                || frame.height() != height || frame.components().size() != samplesPerPixel
                || photometric.isEmpty()) {
            throw new IllegalStateException("the JPEG encoder did not write the expected baseline stream");
        }
        int length = stream.compactInPlace(kept.leadingSegments(stream),
                segment -> segment == sof || isTableOrScan(segment.marker()));
        return new Encoded(encoded, length, frame, photometric.get());
    }

    private static void requireSupportedVariant(JpegFrame frame) {
        String accepted = "; the gateway accepts 8-bit baseline, extended or progressive JPEG with Huffman coding";
        if (!frame.isHuffmanNonDifferential()) {
            throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                    "the JPEG uses the " + frame.processName() + " coding process" + accepted);
        }
        if (frame.precision() != 8) {
            throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                    "the JPEG has " + frame.precision() + "-bit samples" + accepted);
        }
        int components = frame.components().size();
        if (components != 1 && components != 3 && components != 4) {
            throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                    "the JPEG has " + components + " colour components; gray (1), colour (3) or CMYK (4) is accepted");
        }
        if (frame.height() == 0) {
            throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                    "the JPEG declares its height in a DNL marker" + accepted + " and the height in the frame header");
        }
    }

    private static boolean isTableOrScan(int marker) {
        return marker == JpegSegments.DQT || marker == JpegSegments.DHT || marker == JpegSegments.DRI
                || marker == JpegSegments.SOS;
    }

    private static Set<String> removedSegments(JpegSegments stream, KeptMetadata kept, JpegSegments.Segment sof) {
        Set<String> removed = new LinkedHashSet<>();
        for (JpegSegments.Segment segment : stream.segments()) {
            if (segment == sof || isTableOrScan(segment.marker())) {
                continue;
            }
            if (segment == kept.jfif()) {
                if (kept.jfifHasThumbnail(stream)) {
                    removed.add("APP0/JFIF thumbnail");
                }
                continue;
            }
            if (segment == kept.adobe()) {
                continue;
            }
            removed.add(stream.describe(segment));
        }
        if (stream.trailingBytes() > 0) {
            removed.add("data after EOI");
        }
        return removed;
    }

    /** Lossy Image Compression Ratio: uncompressed size over compressed size, to two decimals. */
    static double ratio(long width, long height, int samplesPerPixel, int compressedBytes) {
        double ratio = (double) width * height * samplesPerPixel / compressedBytes;
        return Math.round(ratio * 100) / 100.0;
    }

    /** The segments that survive cleaning besides tables and scans, and the EXIF facts read before removal. */
    private record KeptMetadata(JpegSegments.Segment jfif, JpegSegments.Segment adobe,
                                List<JpegSegments.Segment> iccChunks, ExifFacts exif) {

        private static final int JFIF_FIXED = 14;
        private static final int ADOBE_FIXED = 12;

        static KeptMetadata find(JpegSegments stream) {
            JpegSegments.Segment jfif = null;
            JpegSegments.Segment adobe = null;
            ExifFacts exif = null;
            var icc = new ArrayList<JpegSegments.Segment>();
            for (JpegSegments.Segment segment : stream.segments()) {
                int marker = segment.marker();
                if (marker == JpegSegments.APP0 && jfif == null && segment.payloadLength() >= JFIF_FIXED
                        && stream.payloadStartsWith(segment, "JFIF\0")) {
                    jfif = segment;
                } else if (marker == JpegSegments.APP14 && adobe == null && segment.payloadLength() >= ADOBE_FIXED
                        && stream.payloadStartsWith(segment, "Adobe")) {
                    adobe = segment;
                } else if (marker == JpegSegments.APP1 && exif == null && stream.payloadStartsWith(segment, "Exif\0")) {
                    exif = ExifReader.fromApp1(stream.bytes(), segment.payloadOffset(), segment.payloadLength());
                } else if (marker == JpegSegments.APP2 && stream.payloadStartsWith(segment, "ICC_PROFILE\0")) {
                    icc.add(segment);
                }
            }
            return new KeptMetadata(jfif, adobe, icc, exif == null ? ExifFacts.NONE : exif);
        }

        int adobeTransform(JpegSegments stream) {
            return adobe == null ? -1 : stream.payloadByte(adobe, 11);
        }

        boolean jfifHasThumbnail(JpegSegments stream) {
            return jfif.payloadLength() > JFIF_FIXED
                    || stream.payloadByte(jfif, 12) != 0 || stream.payloadByte(jfif, 13) != 0;
        }

        /**
         * JFIF and Adobe segments rewritten to their fixed fields: the JFIF thumbnail (a small copy of
         * the photo) and anything appended to either are dropped.
         */
        List<byte[]> leadingSegments(JpegSegments stream) {
            var leading = new ArrayList<byte[]>(2);
            if (jfif != null) {
                byte[] payload = new byte[JFIF_FIXED];
                System.arraycopy(stream.bytes(), jfif.payloadOffset(), payload, 0, JFIF_FIXED - 2);
                leading.add(JpegSegments.segment(JpegSegments.APP0, payload));
            }
            if (adobe != null) {
                byte[] payload = new byte[ADOBE_FIXED];
                System.arraycopy(stream.bytes(), adobe.payloadOffset(), payload, 0, ADOBE_FIXED);
                leading.add(JpegSegments.segment(JpegSegments.APP14, payload));
            }
            return leading;
        }
    }
}
