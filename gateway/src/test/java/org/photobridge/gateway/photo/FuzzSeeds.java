package org.photobridge.gateway.photo;

import static org.photobridge.gateway.photo.TestImages.ascii;
import static org.photobridge.gateway.photo.TestImages.concat;
import static org.photobridge.gateway.photo.TestImages.pngChunk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes the seed corpus of the fuzz tests from the test images: the files under
 * {@code src/test/resources/org/photobridge/gateway/photo/*FuzzTestInputs/<method>/} that Jazzer
 * runs as regression tests and starts fuzzing from. Run from {@code gateway/} after the test
 * classes are compiled (docs/security.md, "Fuzzing"):
 * {@code java -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" org.photobridge.gateway.photo.FuzzSeeds src/test/resources}.
 * Findings are not written here: they are added by hand, under a name that says what they were.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args[0], "org", "photobridge", "gateway", "photo");
        Map<String, byte[]> jpegs = jpegs();
        Map<String, byte[]> pngs = pngs();
        write(base.resolve("JpegFuzzTestInputs/cleanJpeg"), jpegs);
        write(base.resolve("JpegFuzzTestInputs/parseSegments"), jpegs);
        write(base.resolve("PngFuzzTestInputs/cleanPng"), pngs);
        var uploads = new LinkedHashMap<String, byte[]>();
        uploads.putAll(jpegs);
        uploads.putAll(pngs);
        uploads.put("polyglot-html-named-jpg", ascii("<html><script>alert(1)</script></html>"));
        uploads.put("gif", ascii("GIF89a\1\0\1\0\0\0\0;"));
        write(base.resolve("UploadFuzzTestInputs/cleanUpload"), uploads);
        write(base.resolve("ExifFuzzTestInputs/readExif"), exifs());
        var transcode = new LinkedHashMap<String, byte[]>();
        for (int i = 0; i < 8; i++) {
            byte[] seed = new byte[64 + 32 * i];
            new java.util.Random(i).nextBytes(seed);
            transcode.put("random-" + i, seed);
        }
        write(base.resolve("TranscodeFuzzTestInputs/transcodeSmallImage"), transcode);
    }

    private static Map<String, byte[]> jpegs() {
        var seeds = new LinkedHashMap<String, byte[]>();
        var scene = TestImages.scene();
        seeds.put("baseline-420", TestImages.jpeg(scene));
        seeds.put("baseline-444", TestImages.jpeg(scene, TestImages.Chroma.FULL_444, false));
        seeds.put("progressive-420", TestImages.jpeg(scene, TestImages.Chroma.SUBSAMPLED_420, true));
        seeds.put("progressive-444-orientation-6", TestImages.insertAfterSoi(
                TestImages.jpeg(TestImages.storedFor(scene, 6), TestImages.Chroma.FULL_444, true),
                TestImages.richExif(6, false)));
        seeds.put("gray", TestImages.jpeg(TestImages.grayScene()));
        seeds.put("adobe-cmyk", TestImages.adobeCmykJpeg());
        seeds.put("all-metadata-orientation-8", TestImages.jpegWithAllMetadata(TestImages.storedFor(scene, 8), 8));
        seeds.put("exif-orientation-3-big-endian",
                TestImages.insertAfterSoi(TestImages.jpeg(TestImages.storedFor(scene, 3)), TestImages.richExif(3, true)));
        seeds.put("exif-orientation-5-little-endian",
                TestImages.insertAfterSoi(TestImages.jpeg(TestImages.storedFor(scene, 5)), TestImages.richExif(5, false)));
        byte[] baseline = TestImages.jpeg(scene);
        seeds.put("truncated", Arrays.copyOf(baseline, baseline.length / 2));
        return seeds;
    }

    private static Map<String, byte[]> pngs() {
        var seeds = new LinkedHashMap<String, byte[]>();
        var scene = TestImages.scene();
        byte[] text = pngChunk("tEXt", concat(ascii("Comment\0"), ascii(TestImages.COMMENT)));
        byte[] exif = pngChunk("eXIf", tiffOf(TestImages.richExif(6, true)));
        byte[] iccp = pngChunk("iCCP", concat(ascii("sRGB\0\0"), zlib(TestImages.srgbProfile())));
        byte[] rgb = samples(TestImages.storedFor(scene, 6));
        seeds.put("rgb-text-exif-6-iccp", TestImages.png(TestImages.H, TestImages.W, 8, 2, rgb,
                List.of(iccp, exif, text), List.of(pngChunk("tEXt", ascii("Author\0" + TestImages.OWNER)))));
        seeds.put("imageio-rgb", TestImages.imageIoPng(scene, false));
        seeds.put("imageio-rgb-interlaced", TestImages.imageIoPng(scene, true));
        seeds.put("imageio-gray", TestImages.imageIoPng(TestImages.grayScene(), false));
        byte[] indices = new byte[8 * 4];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (byte) (i % 3);
        }
        seeds.put("palette-trns", TestImages.png(8, 4, 8, 3, indices,
                List.of(pngChunk("PLTE", new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255}),
                        pngChunk("tRNS", new byte[] {(byte) 255, (byte) 128, 0})), List.of()));
        byte[] rgba16 = new byte[4 * 4 * 8];
        for (int i = 0; i < rgba16.length; i++) {
            rgba16[i] = (byte) (i * 37);
        }
        seeds.put("rgba-16bit", TestImages.png(4, 4, 16, 6, rgba16, List.of(), List.of()));
        byte[] gray16 = new byte[4 * 4 * 2];
        Arrays.fill(gray16, (byte) 0x80);
        seeds.put("gray-16bit-exif-3", TestImages.png(4, 4, 16, 0, gray16,
                List.of(pngChunk("eXIf", tiffOf(TestImages.richExif(3, false)))), List.of()));
        return seeds;
    }

    private static Map<String, byte[]> exifs() {
        var seeds = new LinkedHashMap<String, byte[]>();
        for (int carrier = 0; carrier < 3; carrier++) {
            for (int orientation : new int[] {1, 3, 6, 8}) {
                boolean bigEndian = orientation % 2 == 0;
                byte[] tiff = tiffOf(TestImages.richExif(orientation, bigEndian));
                seeds.put("carrier-" + carrier + "-orientation-" + orientation, concat(new byte[] {(byte) carrier}, tiff));
            }
        }
        var loop = new TiffBuilder(false);
        var ifd0 = loop.ifd();
        ifd0.shortValue(0x0112, 7).pointer(0x8769, ifd0);
        seeds.put("exif-ifd-points-at-itself", concat(new byte[] {2}, loop.build()));
        return seeds;
    }

    /** The TIFF structure inside an APP1 Exif segment (after marker, length and "Exif\0\0"). */
    private static byte[] tiffOf(byte[] app1) {
        return Arrays.copyOfRange(app1, 4 + 6, app1.length);
    }

    private static byte[] samples(java.awt.image.BufferedImage image) {
        byte[] out = new byte[image.getWidth() * image.getHeight() * 3];
        int i = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                out[i++] = (byte) (rgb >> 16);
                out[i++] = (byte) (rgb >> 8);
                out[i++] = (byte) rgb;
            }
        }
        return out;
    }

    private static byte[] zlib(byte[] data) {
        var out = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(out)) {
            deflate.write(data);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (var seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }
}
