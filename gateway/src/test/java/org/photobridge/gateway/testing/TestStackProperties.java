package org.photobridge.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Coordinates of the real Keycloak and Orthanc that {@code deploy/local/test-stack.sh} started for
 * this test run (written to {@code target/test-stack/test-stack.properties} at the repository root).
 */
public final class TestStackProperties {
    private static Properties loaded;

    private TestStackProperties() {
    }

    public static synchronized Properties get() {
        if (loaded == null) {
            Path file = Path.of(System.getProperty("pbtest.stack",
                    repositoryRoot().resolve("target/test-stack/test-stack.properties").toString()));
            if (!Files.exists(file)) {
                throw new IllegalStateException("the test stack is not running: " + file + " is missing; "
                        + "run the tests with the README's test command, or start it with deploy/local/test-stack.sh start");
            }
            var properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
            loaded = properties;
        }
        return loaded;
    }

    public static String value(String key) {
        String value = get().getProperty(key);
        if (value == null) {
            throw new IllegalStateException("test-stack.properties has no " + key);
        }
        return value;
    }

    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
