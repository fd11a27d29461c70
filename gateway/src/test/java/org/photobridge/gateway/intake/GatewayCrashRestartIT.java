package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestDatabase;
import org.photobridge.gateway.testing.TestStack;
import org.photobridge.gateway.testing.TestStackProperties;

import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * The packaged gateway is killed (SIGKILL, no shutdown hooks) while photos wait for a PACS that is
 * down; started again, it delivers every accepted photo exactly once.
 */
class GatewayCrashRestartIT {
    @TempDir
    Path data;

    private Process gateway;

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.destroy();
        }
        Orthanc.ensureRunning();
    }

    @Test
    void queuedPhotosSurviveACrashAndAreDeliveredAfterRestart() throws Exception {
        Path keyFile = data.resolve("storage.key");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        int port = freePort();

        Orthanc.stop();
        gateway = start(port, keyFile, true);
        List<Response> accepted = new ArrayList<>();
        String mrn = "MRN-CRASH-" + UUID.randomUUID();
        accepted.add(Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "1.jpg",
                Uploads.metadata(mrn, "ENC-CRASH")));
        accepted.add(Uploads.upload(PLASTICS, TestImages.imageIoPng(TestImages.scene(), false), "2.png",
                Uploads.metadata(mrn, "ENC-CRASH")));
        for (Response response : accepted) {
            response.then().statusCode(202);
        }
        gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        Orthanc.start();
        gateway = start(port, keyFile, false);
        for (Response response : accepted) {
            Uploads.awaitStoredAndPurged(PLASTICS, response.path("id"));
            assertEquals(1, Orthanc.instancesWithSopUid(response.path("sopInstanceUid")).size(),
                    "delivered exactly once");
        }
    }

    /** Starts the packaged gateway on the test database; {@code fresh} rebuilds its schema first. */
    private Process start(int port, Path keyFile, boolean fresh) throws IOException, InterruptedException {
        Path jar = TestStackProperties.repositoryRoot().resolve("gateway/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the gateway first (mvn verify does): " + jar);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port,
                "-Dphotobridge.data.directory=" + data,
                "-Dphotobridge.store.key-file=" + keyFile,
                "-Dphotobridge.routing.initial-backoff=1s",
                "-Dphotobridge.routing.max-backoff=2s",
                "-Dphotobridge.routing.poll-interval=1s",
                "-Dquarkus.oidc.connection-delay=0",
                "-Dphotobridge.consent.capture-policy=off",
                "-Dphotobridge.db.url=" + TestDatabase.JDBC_URL,
                "-Dphotobridge.db.username=photobridge"));
        if (fresh) {
            // Nothing left by earlier tests in the queue; the restart after the crash keeps everything.
            command.add("-Dquarkus.flyway.clean-disabled=false");
            command.add("-Dquarkus.flyway.clean-at-start=true");
        }
        // Secrets go through the environment (MicroProfile Config's name mapping), not the command
        // line that `ps` shows to every user of the machine.
        var secrets = new java.util.HashMap<String, String>();
        TestStack.stackConfig().forEach((name, value) -> {
            if (name.endsWith("password") || name.endsWith("secret")) {
                secrets.put(name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value);
            } else {
                command.add("-D" + name + "=" + value);
            }
        });
        command.add("-jar");
        command.add(jar.toString());
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(secrets);
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(data.resolve("gateway-" + Instant.now().toEpochMilli() + ".log").toFile()).start();
        RestAssured.port = port;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(240));
        while (Instant.now().isBefore(deadline)) {
            assertTrue(process.isAlive(), "the gateway exited during start-up; see its log in " + data);
            try {
                if (RestAssured.get("/q/health/live").statusCode() == 200) {
                    return process;
                }
            } catch (Exception notYetListening) {
                // keep waiting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the gateway did not start within 240 s");
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
