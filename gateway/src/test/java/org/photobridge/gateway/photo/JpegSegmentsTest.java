package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.photobridge.gateway.photo.TestImages.concat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JpegSegmentsTest {

    private static final byte FF = (byte) 0xFF;

    private static byte[] stream(byte[] entropy) {
        byte[] sof = TestImages.segment(0xC0, new byte[] {8, 0, 8, 0, 8, 1, 1, 0x11, 0});
        byte[] sos = TestImages.segment(0xDA, new byte[] {1, 1, 0, 0, 0x3F, 0});
        return concat(new byte[] {FF, (byte) 0xD8}, sof, sos, entropy, new byte[] {FF, (byte) 0xD9});
    }

    @Test
    void entropyDataRunsThroughStuffedBytesAndRestartMarkersToEoi() {
        byte[] entropy = {0x01, FF, 0x00, 0x02, FF, (byte) 0xD3, 0x03, FF, FF, 0x00, 0x04};
        JpegSegments parsed = JpegSegments.parse(stream(entropy));

        List<JpegSegments.Part> parts = parsed.parts();
        assertEquals(3, parts.size());
        var data = assertInstanceOf(JpegSegments.EntropyData.class, parts.get(2));
        assertEquals(entropy.length, data.length());
    }

    @Test
    void fillBytesBeforeAMarkerAreDroppedWhenRebuilding() {
        byte[] withFill = stream(new byte[] {0x01, 0x02, FF, FF});
        // 0x01 0x02 FF FF FF D9: the extra FFs before EOI are fill bytes, not data
        JpegSegments parsed = JpegSegments.parse(withFill);

        byte[] rebuilt = parsed.rebuild(List.of(), segment -> true);

        assertArrayEquals(stream(new byte[] {0x01, 0x02}), rebuilt);
    }

    @Test
    void findsTrailingBytesAfterEoi() {
        JpegSegments parsed = JpegSegments.parse(concat(stream(new byte[] {1}), new byte[] {1, 2, 3}));

        assertEquals(3, parsed.trailingBytes());
    }

    @Test
    void rejectsSegmentLongerThanTheFile() {
        byte[] broken = {FF, (byte) 0xD8, FF, (byte) 0xE1, 0x10, 0x00, 1, 2, 3};

        var e = assertThrows(PhotoRejectedException.class, () -> JpegSegments.parse(broken));

        assertEquals(PhotoRejectedException.Reason.CORRUPT, e.reason());
    }

    @Test
    void rejectsScanWithoutEndOfImage() {
        byte[] full = stream(new byte[] {1, 2, 3});
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 2);

        var e = assertThrows(PhotoRejectedException.class, () -> JpegSegments.parse(cut));

        assertEquals(PhotoRejectedException.Reason.CORRUPT, e.reason());
    }

    @Test
    void namesRemovedSegmentsWithoutTheirContent() {
        byte[] jpeg = TestImages.insertAfterSoi(stream(new byte[] {1}), TestImages.xmp(), TestImages.comment(),
                TestImages.photoshopIptc(), TestImages.segment(0xE9, new byte[] {9}));
        JpegSegments parsed = JpegSegments.parse(jpeg);

        var names = parsed.segments().stream().limit(4).map(parsed::describe).toList();

        assertEquals(List.of("APP1/XMP", "COM", "APP13/Photoshop", "APP9"), names);
    }

    @Test
    void nextFfFindsTheFirst0xFfAtEveryOffsetAndLength() {
        var random = new java.util.Random(42);
        for (int length = 0; length <= 40; length++) {
            for (int trial = 0; trial < 50; trial++) {
                byte[] bytes = new byte[length];
                for (int i = 0; i < length; i++) {
                    // Bytes next to 0xFF (0xFE, 0x7F, 0x80, 0x00) are where a word-at-a-time test would slip.
                    int pick = random.nextInt(8);
                    bytes[i] = (byte) (pick == 0 ? 0xFF : pick == 1 ? 0xFE : pick == 2 ? 0x7F : pick == 3 ? 0x80
                            : pick == 4 ? 0x00 : random.nextInt(0xFF));
                }
                for (int from = 0; from <= length; from++) {
                    int expected = from;
                    while (expected < length && bytes[expected] != (byte) 0xFF) {
                        expected++;
                    }
                    org.junit.jupiter.api.Assertions.assertEquals(expected, JpegSegments.nextFf(bytes, from),
                            "length " + length + ", from " + from + ": " + java.util.HexFormat.of().formatHex(bytes));
                }
            }
        }
    }
}
