package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExifReaderTest {

    private static ExifFacts read(byte[] tiff) {
        return ExifReader.fromTiff(tiff, 0, tiff.length);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void readsOrientationDateMakeAndModelInBothByteOrders(boolean bigEndian) {
        byte[] app1 = TestImages.richExif(8, bigEndian);

        ExifFacts facts = ExifReader.fromApp1(app1, 4, app1.length - 4);

        assertEquals(8, facts.orientation());
        assertEquals(Optional.of(LocalDateTime.of(2026, 11, 20, 10, 11, 12)), facts.takenAt());
        assertEquals(Optional.of("Canon"), facts.make());
        assertEquals(Optional.of("EOS R5"), facts.model());
    }

    @Test
    void treatsOutOfRangeOrientationAsNormal() {
        var tiff = new TiffBuilder(false);
        tiff.ifd().shortValue(0x0112, 9);

        assertEquals(1, read(tiff.build()).orientation());
    }

    @Test
    void survivesExifIfdPointingOutsideTheBlock() {
        var tiff = new TiffBuilder(true);
        tiff.ifd().shortValue(0x0112, 3).longValue(0x8769, 0xFFFF_FFF0L);

        ExifFacts facts = read(tiff.build());

        assertEquals(3, facts.orientation());
        assertEquals(Optional.empty(), facts.takenAt());
    }

    @Test
    void survivesTextValuePointingOutsideTheBlock() {
        var tiff = new TiffBuilder(true);
        tiff.ifd().ascii(0x010F, "A long manufacturer name").shortValue(0x0112, 6);
        byte[] bytes = tiff.build();
        // the Make entry is the first entry: its value offset lives at 8 + 2 + 8
        bytes[10 + 8] = 0x7F;

        ExifFacts facts = read(bytes);

        assertEquals(Optional.empty(), facts.make());
        assertEquals(6, facts.orientation());
    }

    @Test
    void ignoresGarbageThatIsNotTiff() {
        assertEquals(ExifFacts.NONE, read(new byte[] {'X', 'X', 0, 42, 0, 0, 0, 8, 0, 0}));
        assertEquals(ExifFacts.NONE, read(new byte[3]));
    }

    @Test
    void ignoresHugeEntryCounts() {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, (byte) 0xFF, (byte) 0xFF, 0, 0};

        assertEquals(ExifFacts.NONE, read(tiff));
    }

    @Test
    void ignoresUnknownDates() {
        assertEquals(Optional.empty(), ExifReader.parseDateTime("0000:00:00 00:00:00"));
        assertEquals(Optional.empty(), ExifReader.parseDateTime("    :  :     :  :  "));
        assertEquals(Optional.of(LocalDateTime.of(2024, 2, 29, 23, 59, 58)),
                ExifReader.parseDateTime("2024:02:29 23:59:58"));
    }

    @Test
    void keepsOnlyPrintableAsciiOfMakeAndCapsItAt64Characters() {
        var tiff = new TiffBuilder(false);
        tiff.ifd().ascii(0x010F, "Ca\u0001non " + "x".repeat(100));

        assertEquals(64, read(tiff.build()).make().orElseThrow().length());
        assertEquals("Canon x", read(tiff.build()).make().orElseThrow().substring(0, 7));
    }
}
