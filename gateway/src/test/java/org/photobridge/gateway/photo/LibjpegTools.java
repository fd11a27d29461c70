package org.photobridge.gateway.photo;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * libjpeg-turbo's command-line tools ({@code cjpeg}, {@code jpegtran}, from Debian's
 * libjpeg-turbo-progs, which deploy/local/test.sh installs) as independent encoders and transforms
 * for tests. A missing tool fails the test that needs it: it is never a skip.
 */
final class LibjpegTools {

    private LibjpegTools() {
    }

    static boolean available(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(bin -> Files.isExecutable(Path.of(bin, tool)));
    }

    static void require(String tool) {
        if (!available(tool)) {
            throw new AssertionError(tool + " is not installed: install Debian package libjpeg-turbo-progs"
                    + " (deploy/local/test.sh does)");
        }
    }

    /** A stream from {@code cjpeg}, from a PPM of the image ({@code -grayscale} converts it). */
    static byte[] cjpeg(Path dir, BufferedImage image, List<String> options) {
        var ppm = new ByteArrayOutputStream();
        ppm.writeBytes(("P6\n" + image.getWidth() + " " + image.getHeight() + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        ppm.writeBytes(TestImages.samples(image, 3));
        return run(dir, "cjpeg", ppm.toByteArray(), ".ppm", options);
    }

    /** What {@code jpegtran} makes of the stream with the given options. */
    static byte[] jpegtran(Path dir, byte[] jpeg, List<String> options) {
        return run(dir, "jpegtran", jpeg, ".jpg", options);
    }

    private static byte[] run(Path dir, String tool, byte[] input, String suffix, List<String> options) {
        require(tool);
        try {
            Path in = Files.createTempFile(dir, "in", suffix);
            Path out = Files.createTempFile(dir, "out", ".jpg");
            Files.write(in, input);
            var command = new ArrayList<String>();
            command.add(tool);
            command.addAll(options);
            command.addAll(List.of("-outfile", out.toString(), in.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(tool + " " + options + " failed: " + output);
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
