package org.photobridge.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Camera-like baseline JPEGs for the benchmarks: a textured skin-toned scene, an EXIF block with an
 * orientation and a camera serial number, and a comment, which is what cleaning has to strip.
 * Files are cached under the given directory so repeated runs time the same bytes.
 */
final class BenchJpegs {

    private BenchJpegs() {
    }

    static Path photo(Path dir, int width, int height, int orientation) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("bench-" + width + "x" + height + "-o" + orientation + ".jpg");
        if (!Files.exists(file)) {
            byte[] jpeg = withMetadata(encode(scene(width, height)), orientation);
            Path partial = dir.resolve(file.getFileName() + ".part");
            Files.write(partial, jpeg);
            Files.move(partial, file);
        }
        return file;
    }

    private static BufferedImage scene(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(width * 31L + height);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double wave = Math.sin(x * 0.003) * Math.cos(y * 0.004) * 40;
                int texture = random.nextInt(48) - 24;
                row[x] = (clamp(200 + wave + texture) << 16) | (clamp(150 + wave * 0.8 + texture) << 8)
                        | clamp(130 + wave * 0.6 + texture);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.80f);
            ByteArrayOutputStream out = new ByteArrayOutputStream(8 << 20);
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            return out.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** Inserts an EXIF APP1 (orientation, body serial number) and a COM segment after SOI. */
    private static byte[] withMetadata(byte[] jpeg, int orientation) {
        byte[] serial = "SN-BENCH-0001\0".getBytes(StandardCharsets.US_ASCII);
        // TIFF header, IFD0 {Orientation, ExifIFD pointer}, Exif IFD {BodySerialNumber}, serial text
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 2 * 12 + 4 + 2 + 12 + 4 + serial.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        int exifIfd = 8 + 2 + 2 * 12 + 4;
        int serialAt = exifIfd + 2 + 12 + 4;
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(exifIfd);
        tiff.putInt(0);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0xA431).putShort((short) 2).putInt(serial.length).putInt(serialAt);
        tiff.putInt(0);
        tiff.put(serial);
        byte[] exif = tiff.array();
        byte[] comment = "taken on ward 7 by the benchmark".getBytes(StandardCharsets.US_ASCII);

        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + 256);
        out.write(0xFF);
        out.write(0xD8);
        segment(out, 0xE1, concat("Exif\0\0".getBytes(StandardCharsets.US_ASCII), exif));
        segment(out, 0xFE, comment);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] payload) {
        int length = payload.length + 2;
        out.write(0xFF);
        out.write(marker);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(payload, 0, payload.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
