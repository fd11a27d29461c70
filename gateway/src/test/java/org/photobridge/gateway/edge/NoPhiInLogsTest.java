package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Runs the whole flow with a patient whose name, MRN and birth date are recognisable (consent,
 * uploads, delivery to both PACS destinations, status, list, thumbnail, rendering, export, refusals,
 * a FHIR request the server rejects, concurrent first uploads of an encounter, withdrawal and its
 * PACS actions), then reads every line the gateway logged meanwhile (the test profile's log file)
 * and every file name under its data directory: none may carry any of them.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class NoPhiInLogsTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String OFFICER = "compliance.officer";
    private static final String FHIR_JSON = "application/fhir+json";
    private static final String FAMILY = "Quixwellington";
    private static final String GIVEN = "Philomena";
    private static final String BIRTH_DATE = "1931-03-17";

    @Test
    void theWholeFlowLeavesNoPatientDataInLogsOrFileNames() throws Exception {
        String serial = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
        String mrn = "MRN-PHI-" + serial;
        String encounter = "ENC-PHI-" + serial;
        List<String> phi = List.of(mrn, FAMILY, GIVEN, BIRTH_DATE, BIRTH_DATE.replace("-", ""), encounter);
        Path log = logFile();
        long from = Files.exists(log) ? Files.size(log) : 0;

        // Consent (FHIR), then a refused FHIR write that quotes the MRN in a bad field.
        String consentId = recordConsent(mrn);
        Response badConsent = given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON)
                .body(json(ConsentFixtures.clinicalCareOnly(mrn)).replace("\"active\"", "\"" + mrn + "\""))
                .post("/fhir/Consent");
        assertTrue(badConsent.statusCode() >= 400 && badConsent.statusCode() < 500, badConsent.asString());
        given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON).body("{\"resourceType\": \"" + mrn)
                .post("/fhir/Consent").then().statusCode(400);

        // Upload, status, list, views, export.
        Response accepted = upload(TestImages.jpegWithAllMetadata(TestImages.scene(), 6), mrn, encounter,
                "plastic-surgery", SURGEON);
        assertEquals(202, accepted.statusCode(), accepted.asString());
        String id = accepted.path("id");
        awaitStatus(id, "STORED");
        given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos?patient=urn:oid:1.2.3.4.5%7C" + mrn)
                .then().statusCode(200);
        given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id + "/thumbnail").then().statusCode(200);
        given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id + "/rendered").then().statusCode(200);
        given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id + "/export?purpose=teaching")
                .then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(SURGEON))
                .get("/api/v1/exports?purpose=teaching&patient=urn:oid:1.2.3.4.5%7C" + mrn).then().statusCode(200);
        given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(OFFICER))
                .get("/fhir/AuditEvent?patient:identifier=urn:oid:1.2.3.4.5%7C" + mrn).then().statusCode(200);

        // Failures: not an image, another department, bad metadata, the same photo again.
        assertEquals(415, upload(("GIF89a " + mrn).getBytes(StandardCharsets.UTF_8), mrn, encounter,
                "plastic-surgery", SURGEON).statusCode());
        assertEquals(403, upload(TestImages.jpeg(TestImages.scene()), mrn, encounter, "plastic-surgery",
                "derm.photographer").statusCode());
        Response badMetadata = given().auth().oauth2(Keycloak.token(SURGEON))
                .multiPart("file", mrn + ".jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata(mrn, encounter, "plastic-surgery").replace(BIRTH_DATE, mrn),
                        "application/json").post("/api/v1/photos");
        assertEquals(400, badMetadata.statusCode(), badMetadata.asString());
        assertEquals(200, upload(TestImages.jpegWithAllMetadata(TestImages.scene(), 6), mrn, encounter,
                "plastic-surgery", SURGEON).statusCode());

        // The race: first uploads of a new encounter of this patient, all at once.
        for (Response raced : raceFirstUploads(mrn, encounter + "-B", 6)) {
            assertEquals(202, raced.statusCode(), raced.asString());
        }

        // And the same new photo several times at once: one is accepted, the others meet the photo's
        // unique key in the database and answer with it.
        byte[] same = TestImages.jpeg(TestImages.grayScene());
        var sameAtOnce = new ArrayList<java.util.concurrent.Future<Response>>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        var go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            sameAtOnce.add(pool.submit(() -> {
                go.await();
                return upload(same, mrn, encounter, "plastic-surgery", SURGEON);
            }));
        }
        go.countDown();
        for (var f : sameAtOnce) {
            int status = f.get().statusCode();
            assertTrue(status == 202 || status == 200, "same photo at once: " + status);
        }
        pool.shutdownNow();

                // Withdrawal, its effects at the PACS, and a view refused after it.
        Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        withdrawn.setId(consentId);
        given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON).body(json(withdrawn))
                .put("/fhir/Consent/" + consentId).then().statusCode(200);
        awaitStatus(id, "WITHDRAWN");
        assertTrue(given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id + "/thumbnail")
                .statusCode() >= 400);

        List<String> hits = new ArrayList<>();
        for (String line : linesSince(log, from)) {
            for (String value : phi) {
                if (line.contains(value)) {
                    hits.add("log line names '" + value + "': " + line);
                }
            }
        }
        Path data = Path.of(ConfigProvider.getConfig().getValue("photobridge.data.directory", String.class));
        List<Path> roots = new ArrayList<>(List.of(data));
        ConfigProvider.getConfig().getOptionalValue("photobridge.store.directory", String.class).map(Path::of)
                .ifPresent(roots::add);
        for (Path root : roots) {
            if (Files.exists(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.forEach(file -> phi.stream().filter(v -> file.getFileName().toString().contains(v))
                            .forEach(v -> hits.add("file name names '" + v + "': " + file)));
                }
            }
        }
        assertTrue(linesSince(log, from).size() > 10, "the log file holds the run: " + log.toAbsolutePath());
        for (String line : linesSince(log, from)) {
            // PostgreSQL's DETAIL of a unique violation, "Key (columns)=(values) already exists".
            if (line.contains(")=(")) {
                hits.add("log line quotes a database row: " + line);
            }
        }
                assertEquals(List.of(), hits);
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static Path logFile() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class));
    }

    private static List<String> linesSince(Path log, long from) throws IOException {
        try (var file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(from);
            byte[] rest = new byte[(int) (file.length() - from)];
            file.readFully(rest);
            return new String(rest, StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static String recordConsent(String mrn) {
        Response created = given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON).accept(FHIR_JSON)
                .body(json(ConsentFixtures.clinicalCareOnly(mrn))).post("/fhir/Consent");
        created.then().statusCode(201);
        String location = created.header("Location");
        String path = location.substring(location.indexOf("/Consent/") + "/Consent/".length());
        return path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
    }

    private static Response upload(byte[] file, String mrn, String encounter, String department, String user) {
        return given().auth().oauth2(Keycloak.token(user))
                .multiPart("file", mrn + "-" + FAMILY + ".jpg", file, "image/jpeg")
                .multiPart("metadata", metadata(mrn, encounter, department), "application/json")
                .post("/api/v1/photos");
    }

    private static List<Response> raceFirstUploads(String mrn, String encounter, int count) throws Exception {
        var start = new java.util.concurrent.CountDownLatch(1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(count);
        try {
            var futures = new ArrayList<java.util.concurrent.Future<Response>>();
            String token = Keycloak.token(SURGEON);
            for (int i = 0; i < count; i++) {
                var image = TestImages.scene();
                image.setRGB(i, i, 0x123456 + i);
                byte[] photo = TestImages.jpeg(image);
                futures.add(pool.submit(() -> {
                    start.await();
                    return given().auth().oauth2(token).multiPart("file", "p.jpg", photo, "image/jpeg")
                            .multiPart("metadata", metadata(mrn, encounter, "plastic-surgery"), "application/json")
                            .post("/api/v1/photos");
                }));
            }
            start.countDown();
            var answers = new ArrayList<Response>();
            for (var f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitStatus(String id, String status) throws InterruptedException {
        String seen = null;
        for (int i = 0; i < 120 && !status.equals(seen); i++) {
            seen = given().auth().oauth2(Keycloak.token(SURGEON))
                    .get("/api/v1/photos/" + id).then().extract().path("status");
            if (!status.equals(seen)) {
                Thread.sleep(500);
            }
        }
        assertEquals(status, seen, "photo " + id);
    }

    private static String metadata(String mrn, String encounter, String department) {
        return """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"},
                             "name": "%s^%s", "birthDate": "%s", "sex": "F"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "%s"}},
                 "department": "%s", "accessTags": ["%s"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(mrn, FAMILY, GIVEN, BIRTH_DATE, encounter,
                department, department);
    }

    private static String json(org.hl7.fhir.r4.model.Resource resource) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(resource);
    }
}
