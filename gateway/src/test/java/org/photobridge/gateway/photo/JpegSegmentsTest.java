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

    @Test
    void compactsInPlaceToWhatARebuildWritesAndZeroesEverythingAfterIt() {
        var random = new java.util.Random(7);
        int[] markers = {0xDB, 0xC4, 0xDD, 0xE1, 0xE2, 0xE5, 0xED, 0xFE};
        for (int trial = 0; trial < 500; trial++) {
            var parts = new java.util.ArrayList<byte[]>();
            parts.add(new byte[] {FF, (byte) 0xD8});
            // A JFIF header somewhere (cameras put it first; a stream may have tables before it),
            // rewritten to its fixed fields and put first: the parts before it then move up.
            int jfifAt = random.nextInt(4);
            int segments = 1 + random.nextInt(6);
            byte[] jfif = TestImages.segment(0xE0, concat(TestImages.ascii("JFIF\0"), new byte[] {1, 2, 0, 0, 1, 0, 1,
                    0, 0}, filler(random, random.nextInt(30), 'T')));
            for (int i = 0; i < segments; i++) {
                if (i == jfifAt) {
                    parts.add(jfif);
                }
                int marker = markers[random.nextInt(markers.length)];
                char fill = marker >= 0xE0 ? 'S' : 't'; // 'S' marks what must not survive
                parts.add(TestImages.segment(marker, filler(random, random.nextInt(40), fill)));
            }
            if (jfifAt >= segments) {
                parts.add(jfif);
            }
            parts.add(TestImages.segment(0xC0, new byte[] {8, 0, 8, 0, 8, 1, 1, 0x11, 0}));
            parts.add(TestImages.segment(0xDA, new byte[] {1, 1, 0, 0, 0x3F, 0}));
            parts.add(filler(random, 1 + random.nextInt(50), 'e'));
            parts.add(new byte[] {FF, (byte) 0xD9});
            parts.add(filler(random, random.nextInt(20), 'S')); // a trailer after EOI
            byte[] file = concat(parts.toArray(byte[][]::new));
            int slack = random.nextInt(3) == 0 ? random.nextInt(30) : 0; // an array longer than the file
            byte[] array = java.util.Arrays.copyOf(file, file.length + slack);
            java.util.Arrays.fill(array, file.length, array.length, (byte) 'S');

            JpegSegments parsed = JpegSegments.parse(array, file.length, Integer.MAX_VALUE);
            java.util.function.Predicate<JpegSegments.Segment> keep = segment -> segment.marker() < 0xE0
                    || segment.marker() > 0xEF && segment.marker() != 0xFE;
            byte[] leadingPayload = java.util.Arrays.copyOfRange(jfif, 4, 4 + 14);
            List<byte[]> leading = List.of(JpegSegments.segment(0xE0, leadingPayload));
            byte[] expected = JpegSegments.parse(file.clone()).rebuild(leading, keep);

            int length = parsed.compactInPlace(leading, keep);

            assertEquals(expected.length, length, "trial " + trial);
            assertArrayEquals(expected, java.util.Arrays.copyOf(array, length), "trial " + trial);
            for (int i = length; i < array.length; i++) {
                assertEquals(0, array[i], "trial " + trial + ": byte " + i + " after the compacted stream");
            }
            assertThrows(IllegalStateException.class, () -> parsed.compactInPlace(leading, keep),
                    "a compacted parse locates nothing any more");
        }
    }

    @Test
    void parsesOnlyTheFirstLengthBytesOfAnArray() {
        byte[] full = stream(new byte[] {1, 2, 3});
        // The array holds a complete stream, but the file is the first bytes only: cut before EOI.
        var e = assertThrows(PhotoRejectedException.class,
                () -> JpegSegments.parse(full, full.length - 2, Integer.MAX_VALUE));
        assertEquals(PhotoRejectedException.Reason.CORRUPT, e.reason());

        byte[] longer = concat(full, new byte[] {9, 9, 9, 9});
        assertEquals(0, JpegSegments.parse(longer, full.length, Integer.MAX_VALUE).trailingBytes());
    }

    /** Bytes that are never 0xFF, so that they cannot end a segment or a scan. */
    private static byte[] filler(java.util.Random random, int length, char mark) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = random.nextBoolean() ? (byte) mark : (byte) random.nextInt(0xFF);
        }
        return bytes;
    }
}
