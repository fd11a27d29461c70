package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.zip.CRC32;

/**
 * Fuzzes PNG chunk parsing ({@link PngChunks}) and cleaning ({@link PngCleaner}: chunk removal, eXIf
 * orientation, iCCP, decoding, flattening onto white). The fuzzer's chunks get their CRCs repaired
 * first, so that mutations reach past the checksum into the chunk logic and the decoder; the upload
 * target ({@link UploadFuzzTest}) covers damaged CRCs. Seeds under {@code PngFuzzTestInputs/cleanPng}:
 * gray, RGB, RGBA, palette with tRNS, 16-bit, interlaced, with tEXt, eXIf and iCCP.
 */
class PngFuzzTest {

    private static final PngCleaner CLEANER = new PngCleaner();

    @FuzzTest(maxDuration = "10s")
    void cleanPng(byte[] bytes) {
        byte[] png = withRepairedCrcs(bytes);
        CleaningContract.Accepted accepted;
        try {
            PngChunks chunks = PngChunks.parse(png);
            assertTrue(chunks.trailingBytes() >= 0, "the chunks end inside the file");
            assertEquals("IHDR", chunks.chunks().get(0).type());
            assertEquals("IEND", chunks.chunks().get(chunks.chunks().size() - 1).type());
            PngCleaner.memoryNeeded(png, CleaningContract.LIMITS);
            accepted = CleaningContract.accept(() -> CLEANER.clean(png, "0".repeat(64), CleaningContract.LIMITS));
        } catch (PhotoRejectedException rejected) {
            return;
        }
        CleaningContract.check(accepted, PhotoFormat.PNG);
    }

    /** A copy in which every complete chunk after the signature carries the CRC of its type and data. */
    static byte[] withRepairedCrcs(byte[] bytes) {
        byte[] png = bytes.clone();
        int pos = PngChunks.SIGNATURE.length;
        var crc = new CRC32();
        while (pos + 12 <= png.length) {
            long length = PngChunks.u32(png, pos);
            if (length > png.length - pos - 12) {
                break;
            }
            int end = pos + 8 + (int) length;
            crc.reset();
            crc.update(png, pos + 4, (int) length + 4);
            long value = crc.getValue();
            png[end] = (byte) (value >> 24);
            png[end + 1] = (byte) (value >> 16);
            png[end + 2] = (byte) (value >> 8);
            png[end + 3] = (byte) value;
            pos = end + 4;
        }
        return png;
    }
}
