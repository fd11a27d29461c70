package org.photobridge.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.photobridge.gateway.testing.TestStackProperties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the Playwright scenarios of gateway/src/test/node/web in Debian's headless Chromium: the
 * scripts and their pinned npm packages (playwright-core, axe-core) are installed with
 * {@code npm ci} under target/node-web. A missing node, npm or chromium fails with the command that
 * installs it.
 */
final class Browser {
    static final Path SOURCES = TestStackProperties.repositoryRoot().resolve("gateway/src/test/node/web");
    static final Path WORK = TestStackProperties.repositoryRoot().resolve("gateway/target/node-web");
    static final Path SCREENSHOTS = TestStackProperties.repositoryRoot().resolve("gateway/target/web-screenshots");
    static final Path CHROMIUM = Path.of(System.getProperty("pbtest.chromium", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private Browser() {
    }

    static void install() throws Exception {
        for (var tool : List.of(List.of("node", "--version", "apt-get install nodejs"),
                List.of("npm", "--version", "apt-get install npm"))) {
            boolean present;
            try {
                present = exec(Path.of("."), Map.of(), 60, tool.get(0), tool.get(1)).exit() == 0;
            } catch (IOException e) {
                present = false;
            }
            if (!present) {
                fail(tool.get(0) + " is not installed; the browser tests need it (" + tool.get(2) + ")");
            }
        }
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " is missing; the browser tests drive Debian's Chromium (deploy/setup/apt-install.sh chromium)");
        }
        Files.createDirectories(WORK);
        Files.createDirectories(WORK.resolve("viewer"));
        for (String file : List.of("package.json", "package-lock.json", "pages.mjs", "viewer/viewer.html",
                "viewer/viewer.js", "viewer/shim-konva.js", "viewer/shim-jszip.js", "viewer/shim-magic-wand-tool.js")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/playwright-core"))
                || !Files.isDirectory(WORK.resolve("node_modules/axe-core"))
                || !Files.isDirectory(WORK.resolve("node_modules/dwv"))) {
            Result npm = exec(WORK, Map.of(), 600, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts");
            assertEquals(0, npm.exit(), "npm ci of playwright-core, axe-core and dwv failed:\n" + npm.output());
        }
    }

    /** Runs one scenario of pages.mjs; its JSON report. The scenario's own checks failing fails the test with its report. */
    static JsonNode run(String baseUrl, String scenario, Map<String, Object> input) throws Exception {
        Map<String, String> env = Map.of(
                "BASE_URL", baseUrl,
                "SCREENSHOTS", SCREENSHOTS.toString(),
                "CHROMIUM", CHROMIUM.toString(),
                "SCENARIO_INPUT", JSON.writeValueAsString(input));
        Result result = exec(WORK, env, 600, "node", "pages.mjs", scenario);
        String last = result.output().strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode report;
        try {
            report = JSON.readTree(last);
        } catch (IOException e) {
            throw new AssertionError("the browser scenario " + scenario + " printed no report:\n" + result.output(), e);
        }
        if (result.exit() != 0 || !report.path("ok").asBoolean()) {
            fail("browser scenario " + scenario + " failed: " + report.path("error").asText() + "\nreport: " + report
                    + "\noutput:\n" + result.output());
        }
        return report;
    }

    record Result(int exit, String output) {
    }

    private static Result exec(Path directory, Map<String, String> env, int timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        var builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(directory.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
