package org.photobridge.gateway.dicom;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The independent DICOM tools the tests check our output with (dicom3tools, dcmtk). */
public final class DicomTools {
    public record Result(int exitCode, String output) {
        public List<String> linesContaining(String word) {
            return output.lines().filter(line -> line.contains(word)).toList();
        }
    }

    private DicomTools() {
    }

    /**
     * dciodvfy warnings other than the one it always gives for private elements it has no
     * dictionary entry for (our PHOTOBRIDGE block).
     */
    public static List<String> unexpectedWarnings(Result dciodvfy) {
        return dciodvfy.linesContaining("Warning").stream()
                .filter(line -> !(line.startsWith("(0x0071,0x10") && line.contains("Unrecognized tag")))
                .toList();
    }

    public static Result dciodvfy(Path file) {
        return run("/usr/bin/dciodvfy", file.toString());
    }

    public static Result dcmdump(Path file) {
        return run("/usr/bin/dcmdump", "+L", file.toString());
    }

    /** Decodes to PNG with dcmtk (JPEG included, colour converted to RGB). */
    public static Path dcmj2pnm(Path file, Path png) {
        Result result = run("/usr/bin/dcmj2pnm", "+on", file.toString(), png.toString());
        if (result.exitCode() != 0 || !Files.exists(png)) {
            throw new AssertionError("dcmj2pnm failed:\n" + result.output());
        }
        return png;
    }

    public static Result run(String binary, String... args) {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new AssertionError(binary + " is not installed (Debian packages dcmtk, dicom3tools; the test command"
                    + " installs them)");
        }
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(binary + " did not finish");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
