package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.ehrtest.EhrTestServer;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.EhrTestResource;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Work that a change adds is started by a wake-up once the change has committed, not by the workers'
 * timed poll: here the poll runs every ten minutes, so a Consent's publication to the EHR, a photo's
 * delivery and the withdrawal action on the PACS each arrive (counted at the EHR and at Orthanc) well
 * inside the wait only if their transaction woke a worker after its commit. A worker woken before the
 * commit (as withdrawals did) finds nothing and sleeps until the poll; a Consent change woke none; and
 * the delete at Orthanc waits for the rejection note of the photo's other destination, so the note's
 * outcome must wake a worker for it.
 */
@QuarkusTest
@TestProfile(WakeAfterCommitTest.LongPoll.class)
@QuarkusTestResource(TestStack.class)
class WakeAfterCommitTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The consent-enforcing gateway of {@link ConsentProfile}, whose workers poll every ten minutes. */
    public static class LongPoll extends ConsentProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var config = new HashMap<>(super.getConfigOverrides());
            config.put("photobridge.routing.poll-interval", "10m");
            return config;
        }
    }

    @Test
    void consentPublicationDeliveryAndWithdrawalEachStartWhenTheirChangeCommits() {
        EhrTestServer ehr = EhrTestResource.ehr();
        String mrn = "MRN-WAKE-" + UUID.randomUUID();
        ehr.seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);

        String consentId = Fhir.createClinicalCare(SURGEON, mrn);
        String key = Fhir.ehrKey(consentId);
        await("the EHR receives the new consent").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> ehr.requestsWithIdentifier("Consent", key).size() == 1);

        String metadata = """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}, "name": "Doe^Jane"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-WAKE"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(mrn);
        Response accepted = given().auth().oauth2(Keycloak.token(SURGEON))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        accepted.then().statusCode(202);
        String sop = accepted.path("sopInstanceUid");
        await("Orthanc holds the photo").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> Orthanc.instancesWithSopUid(sop).size() == 1);

        Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        Fhir.update(SURGEON, consentId, withdrawn).then().statusCode(200);
        await("Orthanc no longer holds the withdrawn photo").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> Orthanc.instancesWithSopUid(sop).isEmpty());
        await("the EHR receives the withdrawn consent").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> ehr.requestsWithIdentifier("Consent", key).size() >= 2);
        assertEquals(2, ehr.requestsWithIdentifier("Consent", key).size(), "one request per consent version");
    }
}
