package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.routing.FaultInjection;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Consent withdrawn while a delivery is in flight, made deterministic: the delivery to pacs-dimse is
 * held after Orthanc confirmed it and before the gateway records it, the consent is withdrawn in that
 * window, then the delivery is let go. The instance must end withdrawn in the PACS (this destination's
 * action, delete, carried out), and that withdrawal audited once.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class WithdrawalRaceTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    FaultInjection faults;

    @Inject
    AuditLog audit;

    @Test
    void aDeliveryThatLandsWhileConsentIsWithdrawnIsTakenBackAndAuditedOnce() throws Exception {
        String mrn = "MRN-RACE-" + UUID.randomUUID();
        Response created = Fhir.create(SURGEON, ConsentFixtures.clinicalCareOnly(mrn));
        created.then().statusCode(201);
        String consentId = Fhir.idFrom(created);

        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jpeg));
        FaultInjection.Hold hold = faults.holdAfterPacsConfirmed(
                (photo, destination) -> sha256.equals(photo.sourceSha256) && "pacs-dimse".equals(destination));
        String id;
        String sop;
        try {
            Response accepted = given().auth().oauth2(Keycloak.token(SURGEON))
                    .multiPart("file", "race.jpg", jpeg, "image/jpeg")
                    .multiPart("metadata", """
                            {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}},
                             "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-RACE"}},
                             "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                             "bodySite": {"system": "http://snomed.info/sct", "code": "76752008"}, "laterality": "L"}"""
                            .formatted(mrn), "application/json")
                    .post("/api/v1/photos");
            accepted.then().statusCode(202);
            id = accepted.path("id");
            sop = accepted.path("sopInstanceUid");
            assertEquals(sha256, accepted.path("sha256"), "the hold matches this photo's source hash");

            assertTrue(hold.awaitReached(WAIT), "the delivery to pacs-dimse reached Orthanc and is held");
            assertEquals(1, Orthanc.instancesWithSopUid(sop).size(), "Orthanc holds the instance");
            Map<String, Object> inFlight = photo(id);
            assertEquals("QUEUED", delivery(inFlight, "deliveries", "pacs-dimse").get("status"),
                    "the gateway has not recorded the delivery yet");

            Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
            withdrawn.setStatus(Consent.ConsentState.INACTIVE);
            Fhir.update(SURGEON, consentId, withdrawn).then().statusCode(200);
            assertEquals("WITHDRAWN", photo(id).get("status"));
        } finally {
            hold.release();
        }

        await("the late delivery is recorded and taken back at pacs-dimse").atMost(WAIT).until(() -> {
            Map<String, Object> now = photo(id);
            Map<String, Object> withdrawal = delivery(now, "withdrawals", "pacs-dimse");
            return "STORED".equals(delivery(now, "deliveries", "pacs-dimse").get("status"))
                    && "DONE".equals(withdrawal.get("status")) && ((Number) withdrawal.get("attempts")).intValue() >= 1;
        });
        assertTrue(Orthanc.instancesWithSopUid(sop).isEmpty(), "the instance ends withdrawn (deleted) in the PACS");

        var patient = Optional.of(new BusinessIdentifier(ConsentFixtures.PATIENT_SYSTEM, mrn));
        List<AuditRecord> withdrawals = audit.search(new AuditQuery(patient, Optional.empty(), Optional.empty(),
                DateRange.ANY, Set.of(AuditAction.PHOTO_WITHDRAWN)), 0, 100).items();
        assertEquals(1, withdrawals.stream().filter(r -> r.detail().contains("at destination pacs-dimse")).count(),
                "the withdrawal at pacs-dimse is audited once: " + withdrawals.stream().map(AuditRecord::detail).toList());
    }

    private static Map<String, Object> photo(String id) {
        return given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id).then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> delivery(Map<String, Object> photo, String list, String destination) {
        List<Map<String, Object>> entries = (List<Map<String, Object>>) photo.get(list);
        return entries == null ? Map.of() : entries.stream().filter(d -> destination.equals(d.get("destination")))
                .findFirst().orElse(Map.of());
    }
}
