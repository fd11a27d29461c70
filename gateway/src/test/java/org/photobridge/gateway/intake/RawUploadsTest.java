package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Raw uploads (the camera's file, GPS and serials still in it) are read into memory and never
 * written to disk, accepted or refused; a body cut short keeps nothing; what gateways before this
 * kept in their upload directory is deleted at start-up.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class RawUploadsTest {

    @TempDir
    Path scratch;

    @Test
    void noFileIsCreatedInTheWorkDirectoryForAnUploadAcceptedOrRefused() throws Exception {
        Path work = workDirectory();
        String mrn = "RAW-" + UUID.randomUUID();
        String token = Keycloak.token("plastics.surgeon");
        byte[] photo = TestImages.jpegWithAllMetadata(TestImages.scene(), 1);
        String metadata = ConcurrentFirstUploadsTest.metadata(mrn, "ENC-RAW");

        List<Path> created;
        try (var watch = new CreatedEntries(work)) {
            given().auth().oauth2(token).multiPart("file", "p.jpg", photo, "image/jpeg")
                    .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then()
                    .statusCode(202);
            given().auth().oauth2(token).multiPart("file", "p.jpg", "not an image".getBytes(StandardCharsets.UTF_8),
                    "image/jpeg").multiPart("metadata", metadata, "application/json").post("/api/v1/photos")
                    .then().statusCode(415);
            given().auth().oauth2(token).multiPart("file", "p.jpg", photo, "image/jpeg")
                    .multiPart("metadata", metadata.replace("\"laterality\": \"L\"", "\"laterality\": \"Q\""),
                            "application/json").post("/api/v1/photos").then().statusCode(400);
            given().auth().oauth2(Keycloak.token("derm.photographer")).multiPart("file", "p.jpg", photo, "image/jpeg")
                    .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then().statusCode(403);
            given().auth().oauth2(Keycloak.token("compliance.officer")).multiPart("file", "p.jpg", photo, "image/jpeg")
                    .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then().statusCode(403);
            given().auth().oauth2(token).multiPart("file", "a.jpg", photo, "image/jpeg")
                    .multiPart("file", "b.jpg", photo, "image/jpeg")
                    .multiPart("metadata", metadata, "application/json").post("/api/v1/photos").then()
                    .statusCode(400);
            created = watch.created();
        }
        // Delivery to the PACS works from private copies of the cleaned DICOM object ('outgoing'); no
        // other file may appear while photos are uploaded.
        assertEquals(List.of(), created.stream().filter(entry -> !entry.startsWith("outgoing")).toList(),
                "files created in the work directory " + work + " during uploads");
        assertFalse(Files.exists(work.resolve(RawUploads.FORMER_DIRECTORY)), "no upload directory any more");
    }

    @Test
    void bodyThatEndsBeforeItsClosingBoundaryIsRefusedAndKeepsNothing() throws Exception {
        String mrn = "RAW-CUT-" + UUID.randomUUID();
        String token = Keycloak.token("plastics.surgeon");
        byte[] photo = TestImages.jpeg(TestImages.scene());
        String boundary = "pbcut" + UUID.randomUUID().toString().replace("-", "");
        var whole = new ByteArrayOutputStream();
        whole.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + ConcurrentFirstUploadsTest.metadata(mrn, "ENC-CUT")
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        whole.writeBytes(photo);
        // The file is complete and its delimiter sent; only the closing "--" CRLF is missing.
        whole.writeBytes(("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII));
        byte[] body = whole.toByteArray();

        // The HTTP body is complete (its Content-Length), the multipart body in it is not.
        String answer = post(token, boundary, body, body.length, true);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("ends before its closing boundary"), answer);
        // The client goes away halfway through the body it announced, without reading an answer.
        post(token, boundary, java.util.Arrays.copyOf(body, body.length / 2), body.length, false);

        Uploads.as(Uploads.PLASTICS).queryParam("patient", "urn:oid:1.2.3.4.5|" + mrn).get("/api/v1/photos")
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
        // Had either been kept, the same bytes would now be answered 200 as a repeat.
        Uploads.upload(Uploads.PLASTICS, photo, "p.jpg", ConcurrentFirstUploadsTest.metadata(mrn, "ENC-CUT")).then()
                .statusCode(202);
    }

    @Test
    void startUpDeletesWhatEarlierGatewaysLeftInTheirUploadDirectory() throws Exception {
        Path former = scratch.resolve(RawUploads.FORMER_DIRECTORY);
        Files.createDirectories(former);
        Files.write(former.resolve(UUID.randomUUID().toString()), TestImages.jpeg(TestImages.scene()));
        Files.write(former.resolve(UUID.randomUUID().toString()), new byte[] {1, 2, 3});

        assertEquals(2, RawUploads.deleteFormerDirectory(former));
        assertFalse(Files.exists(former), "the emptied directory goes too");
        assertEquals(0, RawUploads.deleteFormerDirectory(former), "nothing to do when it is gone");
        assertFalse(Files.exists(workDirectory().resolve(RawUploads.FORMER_DIRECTORY)),
                "the running gateway has none");
    }

    /** Sends a POST with {@code declaredLength} and {@code body} on a socket; returns the answer if it waits for one. */
    private static String post(String token, String boundary, byte[] body, int declaredLength, boolean readAnswer)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(60));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: "
                    + declaredLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            if (!readAnswer) {
                return "";
            }
            InputStream in = socket.getInputStream();
            var answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            // The answer is short and the connection kept alive: read until its JSON body is complete.
            for (int n; !answer.toString(StandardCharsets.UTF_8).endsWith("}") && (n = in.read(buffer)) > 0;) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static Path workDirectory() {
        return Path.of(ConfigProvider.getConfig().getValue("photobridge.data.work-directory", String.class))
                .toAbsolutePath();
    }

    /**
     * Every entry created in the directories of a tree while it is watched: the kernel queues each
     * creation (inotify) as it happens, so the events are all there once the requests are answered.
     * A directory created meanwhile shows as an entry of its parent.
     */
    private static final class CreatedEntries implements AutoCloseable {
        private final Path root;
        private final WatchService watcher;

        CreatedEntries(Path root) throws IOException {
            this.root = root;
            this.watcher = root.getFileSystem().newWatchService();
            List<Path> directories = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isDirectory).forEach(directories::add);
            }
            for (Path directory : directories) {
                directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            }
        }

        List<Path> created() {
            var created = new ArrayList<Path>();
            for (var key = watcher.poll(); key != null; key = watcher.poll()) {
                Path directory = (Path) key.watchable();
                for (var event : key.pollEvents()) {
                    created.add(event.kind() == StandardWatchEventKinds.OVERFLOW ? Path.of("(events lost: overflow)")
                            : root.relativize(directory.resolve((Path) event.context())));
                }
                key.reset();
            }
            return created;
        }

        @Override
        public void close() throws IOException {
            watcher.close();
        }
    }
}
