package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.DERM;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Every way an upload can be wrong gets its own status and a problem that names the fault, never
 * echoes patient data, and leaves nothing behind: no photo, no stored bytes.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class UploadRejectionTest {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    EncryptedBlobStore store;

    @Inject
    Photos photoQueries;

    private final String mrn = "MRN-REJECT-" + UUID.randomUUID();
    private Instant started;
    private boolean storesAPhotoOnPurpose;

    @BeforeEach
    void start() {
        started = Instant.now();
    }

    @AfterEach
    void nothingWasKept() throws IOException {
        if (storesAPhotoOnPurpose) {
            return;
        }
        Uploads.as(PLASTICS).queryParam("patient", "urn:oid:1.2.3.4.5|" + mrn).get("/api/v1/photos")
                .then().statusCode(200).body("size()", equalTo(0));
        Duration elapsed = Duration.between(started, Instant.now()).plusSeconds(1);
        for (String key : store.listKeys()) {
            try {
                if (store.ageOf(key).compareTo(elapsed) <= 0 && !photoQueries.isBlobReferenced(key)) {
                    // An earlier test's photo may be between "marked purged" and "file deleted".
                    Thread.sleep(1000);
                    assertTrue(!store.exists(key) || photoQueries.isBlobReferenced(key),
                            "a rejected upload left encrypted bytes behind");
                }
            } catch (NoSuchFileException purgedMeanwhile) {
                // An earlier test's photo was purged while we looked.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private ValidatableResponse upload(String user, byte[] file) {
        return Uploads.upload(user, file, "photo.jpg", Uploads.metadata(mrn, "ENC-REJECT")).then();
    }

    private static byte[] validJpeg() {
        return TestImages.jpeg(TestImages.scene());
    }

    /**
     * A client that sends {@code Expect: 100-continue} (curl does for large bodies) waits for the
     * interim answer before its body: the JDK client used here waits for it, so without it the
     * request would time out.
     */
    @Test
    void anUploadThatWaitsFor100ContinueIsReadAndAnsweredLikeAnyOther() throws Exception {
        storesAPhotoOnPurpose = true;
        String boundary = "expect-continue-" + UUID.randomUUID();
        var body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + Uploads.metadata(mrn, "ENC-REJECT") + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.write(validJpeg());
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        for (String user : new String[] {"compliance.officer", PLASTICS}) {
            var request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + io.restassured.RestAssured.port + "/api/v1/photos"))
                    .expectContinue(true).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + org.photobridge.gateway.testing.Keycloak.token(user))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
            var answer = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(user.equals(PLASTICS) ? 202 : 403, answer.statusCode(), user + ": " + answer.body());
        }
    }

    @Test
    void rejectsUploadWithoutToken() {
        given().multiPart("file", "p.jpg", validJpeg()).multiPart("metadata", Uploads.metadata(mrn, "E"))
                .post("/api/v1/photos").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
    }

    @Test
    void rejectsForgedToken() {
        String forged = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4IiwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbInBob3RvZ3JhcGhlciJdfX0.c2ln";
        given().auth().oauth2(forged).multiPart("file", "p.jpg", validJpeg())
                .multiPart("metadata", Uploads.metadata(mrn, "E")).post("/api/v1/photos").then().statusCode(401);
    }

    @Test
    void rejectsUserWithoutPhotographerRole() {
        upload("compliance.officer", validJpeg()).statusCode(403).contentType(PROBLEM);
    }

    @Test
    void rejectsDepartmentTheUserDoesNotBelongTo() {
        upload(DERM, validJpeg()).statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:department-not-permitted"))
                .body("detail", containsString("plastic-surgery"));
    }

    @Test
    void rejectsBadMetadataNamingTheField() {
        String metadata = Uploads.metadata(mrn, "ENC-REJECT").replace("\"laterality\": \"L\"", "\"laterality\": \"left\"");
        Uploads.upload(PLASTICS, validJpeg(), "p.jpg", metadata).then().statusCode(400).contentType(PROBLEM)
                .body("field", equalTo("laterality"))
                .body("detail", not(containsString(mrn)));
    }

    @Test
    void rejectsMissingFilePart() {
        Uploads.as(PLASTICS).multiPart("metadata", Uploads.metadata(mrn, "E"), "application/json")
                .post("/api/v1/photos").then().statusCode(400).body("field", equalTo("file"));
    }

    @Test
    void rejectsGifAsUnsupportedMediaType() {
        byte[] gif = "GIF89a\1\0\1\0\0\0\0;".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        upload(PLASTICS, gif).statusCode(415).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:unsupported-media-type"))
                .body("detail", containsString("JPEG"));
    }

    @Test
    void rejectsPdfNamedLikeAJpeg() {
        upload(PLASTICS, "%PDF-1.7\n%secret\n".getBytes()).statusCode(415);
    }

    @Test
    void rejectsHtmlPolyglotNamedLikeAJpegWithoutEchoingIt() {
        byte[] html = "<!DOCTYPE html><html><script>fetch('/steal?c='+document.cookie)</script></html>"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Uploads.upload(PLASTICS, html, "photo.jpg", Uploads.metadata(mrn, "ENC-REJECT")).then()
                .statusCode(415).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:unsupported-media-type"))
                .body("detail", not(containsString("script")));
    }

    @Test
    void rejectsScriptBehindJpegMagicAsCorruptWithoutEchoingIt() {
        // Starts like a JPEG (sniffers that stop at the magic call it one), continues as a script.
        byte[] polyglot = TestImages.concat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xFE, 0, 4, '/', '*'},
                "*/<script>alert(document.domain)</script>".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        upload(PLASTICS, polyglot).statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:corrupt-image"))
                .body("detail", not(containsString("script")));
    }

    @Test
    void pathCharactersInTheFileNameAreInert() throws IOException {
        // The file name is never used: the upload is kept under a name of the gateway's own choosing.
        Path escaped = Path.of(System.getProperty("java.io.tmpdir"), "pb-escape-" + UUID.randomUUID() + ".jpg");
        String[] names = {"../../../../../.." + escaped, "..\\..\\..\\pb-escape.jpg", "%2e%2e%2f%2e%2e%2fpb.jpg",
            "/etc/passwd", "CON.jpg", "photo.jpg;.html"};
        storesAPhotoOnPurpose = true;
        for (int i = 0; i < names.length; i++) {
            // A distinct photo each time, so that none is answered as a repeat of another.
            var image = TestImages.scene();
            image.setRGB(i, 0, 0x123456);
            Uploads.upload(PLASTICS, TestImages.jpeg(image), names[i], Uploads.metadata(mrn, "ENC-NAMES")).then()
                    .statusCode(202)
                    .body(not(containsString("pb-escape")))
                    .body(not(containsString("passwd")));
        }
        assertTrue(Files.notExists(escaped), "an upload was written where its file name pointed");
    }

    @Test
    void rejectsTruncatedJpegAsCorrupt() {
        byte[] jpeg = validJpeg();
        upload(PLASTICS, Arrays.copyOf(jpeg, jpeg.length / 2)).statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:corrupt-image"));
    }

    @Test
    void rejectsPngDecompressionBombFromItsHeader() {
        byte[] bomb = TestImages.png(100_000, 100_000, 8, 2, new byte[0], java.util.List.of(), java.util.List.of());
        upload(PLASTICS, bomb).statusCode(413).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:too-many-pixels"))
                .body("detail", containsString("250000000"));
    }

    @Test
    void rejectsFileOverTheByteLimit() {
        byte[] big = new byte[9 * 1024 * 1024];
        new Random(1).nextBytes(big);
        big[0] = (byte) 0xFF;
        big[1] = (byte) 0xD8;
        big[2] = (byte) 0xFF;
        upload(PLASTICS, big).statusCode(413).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:file-too-large"))
                .body("detail", containsString("8388608"));
    }

    @Test
    void statusOfAnotherDepartmentsPhotoIsNotFound() {
        var accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.grayScene()), "x.jpg",
                Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-X"));
        accepted.then().statusCode(202);
        Uploads.status(DERM, accepted.path("id")).statusCode(404).contentType(PROBLEM);
        storesAPhotoOnPurpose = true;
    }
}
