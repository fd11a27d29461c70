package org.photobridge.gateway.photo;

import java.io.ByteArrayOutputStream;

/**
 * A decodable baseline JPEG of any size whose pixels are all mid-grey, written by hand in a few
 * megabytes: every block is a zero DC difference and an end-of-block, each a one-bit Huffman code.
 * What an attacker sends to make a gateway decode a giant image from a small file.
 */
public final class FlatJpeg {

    private FlatJpeg() {
    }

    /**
     * @param width        columns
     * @param height       rows
     * @param subsampled   true for 4:2:0 chroma (the camera's usual), false for 4:4:4
     * @param orientation  EXIF orientation to declare (1 for none)
     */
    public static byte[] of(int width, int height, boolean subsampled, int orientation) {
        var out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.writeBytes(TestImages.segment(0xE0, new byte[] {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}));
        if (orientation != 1) {
            out.writeBytes(TestImages.richExif(orientation, false));
        }
        byte[] dqt = new byte[65];
        java.util.Arrays.fill(dqt, 1, 65, (byte) 1);
        out.writeBytes(TestImages.segment(0xDB, dqt));
        int luma = subsampled ? 0x22 : 0x11;
        out.writeBytes(TestImages.segment(0xC0, new byte[] {8, (byte) (height >> 8), (byte) height,
                (byte) (width >> 8), (byte) width, 3, 1, (byte) luma, 0, 2, 0x11, 0, 3, 0x11, 0}));
        // One DC table and one AC table, each with the single code "0" (symbol 0: no difference / EOB).
        byte[] oneCode = new byte[18];
        oneCode[1] = 1; // one code of length 1
        oneCode[17] = 0; // its symbol
        oneCode[0] = 0x00; // DC table 0
        out.writeBytes(TestImages.segment(0xC4, oneCode));
        byte[] ac = oneCode.clone();
        ac[0] = 0x10; // AC table 0
        out.writeBytes(TestImages.segment(0xC4, ac));
        out.writeBytes(TestImages.segment(0xDA, new byte[] {3, 1, 0, 2, 0, 3, 0, 0, 63, 0}));
        int mcuSide = subsampled ? 16 : 8;
        long mcus = (long) ((width + mcuSide - 1) / mcuSide) * ((height + mcuSide - 1) / mcuSide);
        int blocksPerMcu = subsampled ? 6 : 3;
        long bits = mcus * blocksPerMcu * 2;
        long zeroBytes = bits / 8;
        byte[] zeros = new byte[1 << 16];
        for (long left = zeroBytes; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
        int rest = (int) (bits % 8);
        if (rest != 0) {
            out.write(0xFF >> rest); // the remaining zero bits, padded with ones
        }
        out.write(0xFF);
        out.write(0xD9);
        return out.toByteArray();
    }
}
