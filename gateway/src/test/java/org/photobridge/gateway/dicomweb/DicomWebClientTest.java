package org.photobridge.gateway.dicomweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.CONSULTANT;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.SURGEON;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A third-party DICOMweb client, the npm {@code dicomweb-client} library that OHIF uses, run under
 * Node against the gateway's door with real tokens (script and pinned packages in
 * src/test/node/dicomweb, installed with {@code npm ci} under target/). Without node and npm the
 * test fails.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class DicomWebClientTest {
    private static final Path SOURCES = Path.of("src/test/node/dicomweb");
    private static final Path WORK = Path.of("target/node-dicomweb");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/dicomweb")
    URL dicomweb;

    @BeforeAll
    static void installClient() throws Exception {
        for (String tool : List.of("node", "npm")) {
            if (!onPath(tool)) {
                // A missing tool fails, never skips: the test command installs what the tests need.
                fail(tool + " is not installed; the third-party DICOMweb client test cannot run (apt-get install nodejs npm)");
            }
        }
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "check.mjs")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/dicomweb-client"))) {
            Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            assertEquals(0, npm.exitCode(), "npm ci failed:\n" + npm.output());
        }
    }

    @Test
    void dicomwebClientSearchesAndRetrievesForThePermittedUserOnlyUntilWithdrawal() throws Exception {
        String mrn = "MRN-DC-" + UUID.randomUUID();
        String consentId = ViewerPhotos.recordClinicalCareConsent(CONSULTANT, mrn);
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn);
        ViewerPhotos.awaitStoredInPacsOnly(photo);

        Path out = Files.createTempFile(WORK.toAbsolutePath(), "instance-", ".dcm");
        try {
            JsonNode permitted = check(CONSULTANT, photo, out);
            assertEquals(200, permitted.at("/searchForStudies/status").asInt(), permitted.toString());
            assertEquals(photo.study(), permitted.at("/searchForStudies/studies/0/studyInstanceUid").asText());
            assertEquals(mrn, permitted.at("/searchForStudies/studies/0/patientId").asText());
            assertEquals(1, permitted.at("/searchForStudies/studies").size());
            assertEquals(photo.sop(), permitted.at("/searchForInstances/instances/0/sopInstanceUid").asText());
            assertEquals(photo.series(), permitted.at("/searchForInstances/instances/0/seriesInstanceUid").asText());
            assertEquals(200, permitted.at("/retrieveInstance/status").asInt(), permitted.toString());
            AttributeList object = new AttributeList();
            object.read(out.toFile());
            assertEquals(photo.sop(), Attribute.getSingleStringValueOrEmptyString(object, TagFromName.SOPInstanceUID),
                    "the client got the photo's DICOM object");
            assertEquals(200, permitted.at("/retrieveInstanceRendered/status").asInt(), permitted.toString());
            assertTrue(permitted.at("/retrieveInstanceRendered/jpeg").asBoolean(), "rendered is a JPEG");
            assertEquals(200, permitted.at("/retrieveInstanceFrames/status").asInt(), permitted.toString());
            assertEquals(1, permitted.at("/retrieveInstanceFrames/frames").asInt());
            int rows = Attribute.getSingleIntegerValueOrDefault(object, TagFromName.Rows, 0);
            int columns = Attribute.getSingleIntegerValueOrDefault(object, TagFromName.Columns, 0);
            assertEquals(rows * columns * 3, permitted.at("/retrieveInstanceFrames/bytes").asInt(),
                    "the frame as uncompressed RGB, the client's default");

            JsonNode refused = check(SURGEON, photo, out);
            assertEquals(200, refused.at("/searchForStudies/status").asInt(), refused.toString());
            assertEquals(0, refused.at("/searchForStudies/studies").size(), "another department sees no study");
            assertEquals(0, refused.at("/searchForInstances/instances").size());
            assertEquals(404, refused.at("/retrieveInstance/status").asInt(), refused.toString());
            assertEquals(404, refused.at("/retrieveInstanceRendered/status").asInt(), refused.toString());
            assertEquals(404, refused.at("/retrieveInstanceFrames/status").asInt(), refused.toString());

            ViewerPhotos.withdrawConsent(CONSULTANT, consentId, mrn);
            JsonNode withdrawn = check(CONSULTANT, photo, out);
            assertEquals(0, withdrawn.at("/searchForStudies/studies").size(), withdrawn.toString());
            assertEquals(404, withdrawn.at("/retrieveInstance/status").asInt(), withdrawn.toString());
            assertEquals(404, withdrawn.at("/retrieveInstanceRendered/status").asInt(), withdrawn.toString());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private JsonNode check(String user, ViewerPhotos.Photo photo, Path out) throws Exception {
        Files.deleteIfExists(out);
        Map<String, String> env = Map.of(
                // Node may resolve localhost to ::1 first; the gateway listens on 127.0.0.1.
                "DICOMWEB_URL", dicomweb.toString().replace("//localhost:", "//127.0.0.1:"),
                "TOKEN", Keycloak.token(user),
                "PATIENT_ID", photo.mrn(),
                "STUDY_UID", photo.study(),
                "SERIES_UID", photo.series(),
                "SOP_UID", photo.sop(),
                "OUT_FILE", out.toAbsolutePath().toString());
        Run node = run(List.of("node", "check.mjs"), env, 120);
        assertEquals(0, node.exitCode(), "the dicomweb-client script failed:\n" + node.output());
        String last = node.output().strip().lines().reduce((a, b) -> b).orElse("");
        return JSON.readTree(last);
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        var builder = new ProcessBuilder(new ArrayList<>(command)).directory(WORK.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
