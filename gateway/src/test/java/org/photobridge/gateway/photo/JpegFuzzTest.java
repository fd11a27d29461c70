package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Fuzzes JPEG marker-level parsing ({@link JpegSegments}) and cleaning ({@link JpegCleaner}: segment
 * removal, EXIF orientation, ICC chunks, the keep-or-transcode decision, the transcode itself). Seeds
 * under {@code JpegFuzzTestInputs/<method>}: baseline 4:2:0 and 4:4:4, progressive, gray, Adobe CMYK,
 * every kind of metadata, every EXIF orientation.
 */
class JpegFuzzTest {

    private static final JpegCleaner CLEANER = new JpegCleaner(PhotoCleaner.DEFAULT_JPEG_QUALITY);

    /** Parsing either refuses or yields parts that tile the stream and rebuild into the same structure. */
    @FuzzTest(maxDuration = "10s")
    void parseSegments(byte[] bytes) {
        JpegSegments stream;
        try {
            stream = JpegSegments.parse(bytes, PhotoLimits.DEFAULT_MAX_JPEG_SCANS);
        } catch (PhotoRejectedException rejected) {
            return;
        }
        int end = 2;
        for (JpegSegments.Part part : stream.parts()) {
            assertTrue(part.offset() >= end - 1 && part.length() > 0, "parts are in order and not empty");
            end = part.offset() + part.length();
            assertTrue(end <= bytes.length, "a part ends inside the file");
            if (part instanceof JpegSegments.Segment segment) {
                assertTrue(segment.payloadLength() >= 0, "a segment's payload length is never negative");
                stream.describe(segment);
            }
        }
        assertTrue(stream.trailingBytes() >= 0 && stream.trailingBytes() <= bytes.length - 4, "trailing bytes");
        byte[] rebuilt = stream.rebuild(List.of(), segment -> true);
        JpegSegments again = JpegSegments.parse(rebuilt);
        assertEquals(stream.parts().size(), again.parts().size(), "a rebuilt stream has the same parts");
        assertEquals(0, again.trailingBytes(), "a rebuilt stream ends at its EOI");
    }

    /** Cleaning either refuses or yields a clean, upright, decodable baseline stream. */
    @FuzzTest(maxDuration = "10s")
    void cleanJpeg(byte[] bytes) {
        CleaningContract.Accepted accepted;
        try {
            JpegCleaner.memoryNeeded(bytes, CleaningContract.LIMITS);
            accepted = CleaningContract.accept(() -> CLEANER.clean(bytes, "0".repeat(64), CleaningContract.LIMITS));
        } catch (PhotoRejectedException rejected) {
            return;
        }
        CleaningContract.check(accepted, PhotoFormat.JPEG);
    }
}
