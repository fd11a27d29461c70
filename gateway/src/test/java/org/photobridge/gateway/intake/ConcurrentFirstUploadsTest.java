package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.persistence.Studies;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The first photos of an encounter, uploaded at the same moment (a capture station sending a
 * five-view protocol in parallel), all land in one study: the study and its series are created by
 * upserts, so no upload meets the unique key and every one is accepted.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class ConcurrentFirstUploadsTest {
    static final int UPLOADS = 8;

    @Inject
    Studies studies;

    @Test
    void concurrentFirstUploadsForOneEncounterAreAllAcceptedIntoOneStudy() throws Exception {
        String mrn = "RACE-" + UUID.randomUUID();
        String encounter = "ENC-RACE-" + UUID.randomUUID();
        List<Response> answers = uploadAtOnce(mrn, encounter, UPLOADS);
        Set<String> studyUids = new HashSet<>();
        Set<String> seriesUids = new HashSet<>();
        Set<String> photoIds = new HashSet<>();
        for (Response answer : answers) {
            assertEquals(202, answer.statusCode(), answer.asString());
            studyUids.add(answer.path("studyInstanceUid"));
            seriesUids.add(answer.path("seriesInstanceUid"));
            photoIds.add(answer.path("id"));
        }
        assertEquals(UPLOADS, photoIds.size(), "every upload is its own photo");
        assertEquals(1, studyUids.size(), "one study for the encounter: " + studyUids);
        assertEquals(1, seriesUids.size(), "one series for the department and body site: " + seriesUids);
        long rows = QuarkusTransaction.requiringNew().call(() -> studies.count(
                "patientSystem = ?1 and patientValue = ?2 and encounterSystem = ?3 and encounterValue = ?4",
                "urn:oid:1.2.3.4.5", mrn, "urn:oid:1.2.3.4.6", encounter));
        assertEquals(1, rows);
        assertEquals(studyUids.iterator().next(), QuarkusTransaction.requiringNew().call(() -> studies.find(
                new Identifier("urn:oid:1.2.3.4.5", mrn), new Identifier("urn:oid:1.2.3.4.6", encounter))
                .orElseThrow().studyInstanceUid));
    }

    /** {@code count} uploads of distinct photos for one patient's encounter, released together. */
    static List<Response> uploadAtOnce(String mrn, String encounter, int count) throws Exception {
        String token = Keycloak.token("plastics.surgeon");
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] photo = TestImages.jpeg(distinct(i));
                Callable<Response> upload = () -> {
                    start.await();
                    return given().auth().oauth2(token)
                            .multiPart("file", "p.jpg", photo, "image/jpeg")
                            .multiPart("metadata", metadata(mrn, encounter), "application/json")
                            .post("/api/v1/photos");
                };
                futures.add(pool.submit(upload));
            }
            start.countDown();
            List<Response> answers = new ArrayList<>();
            for (var future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The test scene with a mark that makes photo {@code i} differ from the others. */
    static BufferedImage distinct(int i) {
        BufferedImage image = TestImages.scene();
        var g = image.createGraphics();
        g.setColor(new java.awt.Color(10 * i % 256, 40, 200));
        g.fillRect(image.getWidth() / 2 - 8, image.getHeight() / 2 - 8 + i * 2, 16, 16);
        g.dispose();
        return image;
    }

    static String metadata(String mrn, String encounter) {
        return """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "%s"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(mrn, encounter);
    }
}
