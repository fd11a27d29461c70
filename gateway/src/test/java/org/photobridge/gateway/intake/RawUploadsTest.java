package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Raw uploads (the camera's file, GPS and serials still in it) leave the upload directory as soon
 * as intake is done with them, accepted or refused, and a start-up sweeps what an earlier run left.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class RawUploadsTest {

    @Inject
    RawUploads rawUploads;

    @Test
    void noRawUploadOutlivesItsRequestAcceptedOrRefused() throws Exception {
        Path dir = uploadsDirectory();
        String mrn = "RAW-" + UUID.randomUUID();
        String token = Keycloak.token("plastics.surgeon");
        byte[] photo = TestImages.jpegWithAllMetadata(TestImages.scene(), 1);
        String metadata = ConcurrentFirstUploadsTest.metadata(mrn, "ENC-RAW");

        given().auth().oauth2(token).multiPart("file", "p.jpg", photo, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then().statusCode(202);
        assertEmpty(dir, "after an accepted upload");

        given().auth().oauth2(token).multiPart("file", "p.jpg", "not an image".getBytes(StandardCharsets.UTF_8),
                "image/jpeg").multiPart("metadata", metadata, "application/json").post("/api/v1/photos")
                .then().statusCode(415);
        assertEmpty(dir, "after a refused file");

        given().auth().oauth2(token).multiPart("file", "p.jpg", photo, "image/jpeg")
                .multiPart("metadata", metadata.replace("\"laterality\": \"L\"", "\"laterality\": \"Q\""),
                        "application/json").post("/api/v1/photos").then().statusCode(400);
        assertEmpty(dir, "after refused metadata");

        given().auth().oauth2(Keycloak.token("derm.photographer")).multiPart("file", "p.jpg", photo, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then().statusCode(403);
        assertEmpty(dir, "after a refused department");

        given().auth().oauth2(token).multiPart("file", "a.jpg", photo, "image/jpeg")
                .multiPart("file", "b.jpg", photo, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then().statusCode(400);
        assertEmpty(dir, "after two files in one request");
    }

    @Test
    void startUpSweepsWhatAnEarlierRunLeft() throws Exception {
        Path dir = uploadsDirectory();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Path leftover = Files.write(dir.resolve(UUID.randomUUID().toString()), TestImages.jpeg(TestImages.scene()));
        long started = ManagementFactory.getRuntimeMXBean().getStartTime();
        Files.setLastModifiedTime(leftover, FileTime.fromMillis(started - 60_000));
        Path current = Files.write(dir.resolve(UUID.randomUUID().toString()), new byte[] { 1, 2, 3 });
        try {
            rawUploads.onStart(null);
            assertFalse(Files.exists(leftover), "a raw upload of an earlier run is swept");
            assertTrue(Files.exists(current), "one of a request running in this process is left to it");
        } finally {
            Files.deleteIfExists(leftover);
            Files.deleteIfExists(current);
        }
    }

    private static Path uploadsDirectory() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.http.body.uploads-directory", String.class))
                .toAbsolutePath();
    }

    private static void assertEmpty(Path dir, String when) throws Exception {
        try (var files = Files.list(dir)) {
            List<Path> left = files.toList();
            assertEquals(List.of(), left, "raw uploads left " + when);
        }
    }
}
