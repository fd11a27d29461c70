package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.ehrtest.EhrTestServer;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.ehr.EhrPublicationHandler;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.EhrTestResource;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Consent publication counted at the EHR: its request log shows every request that reached it, so a
 * second publication is visible even though the EHR merges conditional updates on the identifier.
 * "Nothing more will come" is shown by a later publication through the same queue (the encounter's
 * ImagingStudy, published after its photo is stored) having reached the EHR.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class EhrPublicationCountedTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String studyKey(String studyUid) {
        return "urn:dicom:uid|urn:oid:" + studyUid;
    }

    /** Uploads a photo of the patient and waits until the EHR got its encounter's ImagingStudy. */
    private static void awaitLaterPublication(EhrTestServer ehr, String mrn, int photosInStudy) {
        String metadata = """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}, "name": "Doe^Jane"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-EHR-COUNT"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(mrn);
        byte[] jpeg = photosInStudy == 1 ? TestImages.jpeg(TestImages.scene()) : TestImages.jpeg(TestImages.grayScene());
        Response accepted = given().auth().oauth2(Keycloak.token(SURGEON)).multiPart("file", "p.jpg", jpeg, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        accepted.then().statusCode(202);
        String studyUid = accepted.path("studyInstanceUid");
        await("the EHR holds the encounter's ImagingStudy with " + photosInStudy + " photo(s)").atMost(WAIT)
                .pollInterval(Duration.ofMillis(300))
                .until(() -> ehr.imagingStudies().stream().anyMatch(s -> ("urn:oid:" + studyUid).equals(
                        s.getIdentifierFirstRep().getValue()) && s.getNumberOfInstances() == photosInStudy));
        assertTrue(ehr.requestsWithIdentifier("ImagingStudy", studyKey(studyUid)).size() >= 1);
    }

    private static List<Consent> inEhr(EhrTestServer ehr, String consentId) {
        return ehr.consents().stream().filter(c -> c.getIdentifier().stream().anyMatch(i ->
                EhrPublicationHandler.CONSENT_IDENTIFIER_SYSTEM.equals(i.getSystem()) && consentId.equals(i.getValue())))
                .toList();
    }

    @Test
    void consentIsPublishedToTheEhrOnceAndEachUpdateOnce() {
        EhrTestServer ehr = EhrTestResource.ehr();
        String mrn = "MRN-EC-" + UUID.randomUUID();
        ehr.seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);

        String consentId = Fhir.createClinicalCare(SURGEON, mrn);
        String key = Fhir.ehrKey(consentId);
        await("the EHR receives the consent").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> !ehr.requestsWithIdentifier("Consent", key).isEmpty());
        awaitLaterPublication(ehr, mrn, 1);

        List<EhrTestServer.Request> published = ehr.requestsWithIdentifier("Consent", key);
        assertEquals(1, published.size(), "one request for one consent: " + published);
        assertEquals("conditional-update", published.get(0).interaction());
        assertEquals("PUT", published.get(0).method());
        assertEquals(1, inEhr(ehr, consentId).size());
        assertEquals("1", inEhr(ehr, consentId).get(0).getMeta().getVersionId());

        Fhir.update(SURGEON, consentId, ConsentFixtures.allScopes(mrn)).then().statusCode(200);
        await("the EHR receives the update").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> ehr.requestsWithIdentifier("Consent", key).size() >= 2);
        awaitLaterPublication(ehr, mrn, 2);

        assertEquals(2, ehr.requestsWithIdentifier("Consent", key).size(), "one more request for one update");
        assertEquals(1, inEhr(ehr, consentId).size());
        assertEquals("2", inEhr(ehr, consentId).get(0).getMeta().getVersionId());
    }

    @Test
    void hangingEhrDelaysPublicationNeverBlocksConsentOrCaptureAndItIsWrittenOnceItAnswers() {
        EhrTestServer ehr = EhrTestResource.ehr();
        String mrn = "MRN-EH-" + UUID.randomUUID();
        ehr.seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);
        int heldBefore = ehr.heldRequestCount();
        String consentId;
        ehr.hang();
        try {
            consentId = Fhir.createClinicalCare(SURGEON, mrn);
            await("the gateway tries to publish to the hanging EHR").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                    .until(() -> !ehr.requestsWithIdentifier("Consent", Fhir.ehrKey(consentId)).isEmpty());
            assertTrue(ehr.heldRequestCount() > heldBefore);
            assertEquals(0, inEhr(ehr, consentId).size(), "nothing written while the EHR hangs");
        } finally {
            ehr.resume();
        }
        awaitLaterPublication(ehr, mrn, 1);
        await("the consent reaches the EHR once it answers").atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> inEhr(ehr, consentId).size() == 1);
        // Held requests were answered 503 unprocessed; a version above 1 would mean a second write.
        assertEquals(1, inEhr(ehr, consentId).size());
        assertEquals("1", inEhr(ehr, consentId).get(0).getMeta().getVersionId(), "written exactly once: "
                + ehr.requestsWithIdentifier("Consent", Fhir.ehrKey(consentId)));
    }
}
