package org.photobridge.gateway.intake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.outbox.IntakePriority;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.RecordingScp;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Uploads before deliveries (issue 10): while an upload is in flight on the gateway, a due delivery
 * waits, counted at the receivers; when the upload ends, even by its client dropping the connection
 * mid-body, the delivery goes. A withdrawal does not wait. The bound is set out of reach here
 * ({@code max-delay} 10 minutes), so "waits" cannot be luck; the bound itself is
 * {@code IntakePriorityRulesTest}'s and {@code IntakePriorityBoundTest}'s.
 */
@QuarkusTest
@TestProfile(IntakePriorityTest.LongBound.class)
@QuarkusTestResource(TestStack.class)
class IntakePriorityTest {
    private static final Duration SETTLE = Duration.ofSeconds(90);

    /** Two counted receivers, rejection notes on withdrawal at the C-STORE one, and a bound out of reach. */
    public static class LongBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("photobridge.routing.intake-priority.max-delay", "10m");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RejectingReceivers.class));
        }
    }

    /** {@link Receivers} whose C-STORE destination answers a withdrawal with a rejection note. */
    public static class RejectingReceivers extends Receivers {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            config.put("photobridge.destinations.pacs-dimse.enabled", "false");
            config.put("photobridge.destinations.pacs-stow.enabled", "false");
            config.put("photobridge.destinations." + Receivers.DIMSE + ".withdrawal-action", "reject");
            // The note is built from the photo, which the recording receivers cannot serve back.
            config.put("photobridge.store.retention-after-stored", "P1D");
            return config;
        }
    }

    @Inject
    IntakePriority priority;

    private static RecordingScp scp() {
        return Receivers.scp();
    }

    @BeforeEach
    @AfterEach
    void noUploadInFlight() {
        awaitUploadsInFlight(0);
    }

    private void awaitUploadsInFlight(int count) {
        await("uploads in flight: " + count).atMost(SETTLE).until(() -> priority.uploadsInFlight() == count);
    }

    private static Response upload(String mrn, String encounter) {
        Response accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg",
                Uploads.metadata(mrn, encounter));
        accepted.then().statusCode(202);
        return accepted;
    }

    private static List<Map<String, Object>> deliveries(Map<String, Object> photo) {
        return PhotoUploadToPacsTest.castList(photo.get("deliveries"));
    }

    private static Map<String, Object> settled(String id) {
        return Uploads.awaitStatus(PLASTICS, id, SETTLE, json -> "STORED".equals(json.get("status"))
                && deliveries(json).stream().allMatch(d -> "STORED".equals(d.get("status"))));
    }

    @Test
    void aDueDeliveryWaitsWhileAnUploadIsInFlightAndGoesWhenItsClientDropsIt() {
        long deferralsBefore = priority.snapshot().deferrals();
        Response photo;
        String sop;
        try (HeldUpload held = HeldUpload.start(PLASTICS)) {
            awaitUploadsInFlight(1);
            photo = upload("MRN-" + UUID.randomUUID(), "ENC-PRIORITY");
            sop = photo.path("sopInstanceUid");
            // The 202 came while the held upload is still in flight; a worker looked and left the delivery.
            await("a worker left the due delivery for later").atMost(SETTLE)
                    .until(() -> priority.snapshot().deferrals() > deferralsBefore);
            assertEquals(1, priority.uploadsInFlight(), "the held upload only");
            Map<String, Object> waiting = Uploads.status(PLASTICS, photo.path("id")).statusCode(200).extract()
                    .jsonPath().getMap("$");
            for (Map<String, Object> delivery : deliveries(waiting)) {
                assertEquals("QUEUED", delivery.get("status"), "waiting, not tried: " + waiting);
                assertEquals(0, ((Number) delivery.get("attempts")).intValue(), waiting.toString());
            }
            assertEquals(0, scp().receivedCount(sop), "nothing at the C-STORE receiver yet");
            assertEquals(0, Receivers.stow().receivedCount(sop), "nothing at the STOW-RS receiver yet");
            assertTrue(priority.snapshot().yielding());
        }
        // The client dropped its upload mid-body: it no longer counts, and the delivery goes.
        awaitUploadsInFlight(0);
        settled(photo.path("id"));
        assertEquals(1, scp().receivedCount(sop), scp().receivedCounts().toString());
        assertEquals(1, Receivers.stow().receivedCount(sop), Receivers.stow().receivedCounts().toString());
    }

    @Test
    void everyUploadCountsUntilItsAnswerIsSentOrItsConnectionEnds() {
        upload("MRN-" + UUID.randomUUID(), "ENC-COUNTED-ONCE");
        awaitUploadsInFlight(0);
        // Refused uploads end too: not an image (415), and metadata that does not parse (400).
        Uploads.upload(PLASTICS, "not an image".getBytes(), "x.txt", Uploads.metadata("MRN-X", "ENC-X"))
                .then().statusCode(415);
        awaitUploadsInFlight(0);
        Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg", "{not json")
                .then().statusCode(org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                        .and(org.hamcrest.Matchers.lessThan(500)));
        awaitUploadsInFlight(0);
        HeldUpload first = HeldUpload.start(PLASTICS);
        HeldUpload second = HeldUpload.start(PLASTICS);
        awaitUploadsInFlight(2);
        first.close();
        awaitUploadsInFlight(1);
        second.close();
        awaitUploadsInFlight(0);
    }

    @Test
    void aWithdrawalIsCarriedOutWhileUploadsAreInFlight() {
        String mrn = "MRN-" + UUID.randomUUID();
        var parser = FhirContexts.r4().newJsonParser();
        Response created = Uploads.as(PLASTICS).contentType("application/fhir+json").accept("application/fhir+json")
                .body(parser.encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn))).post("/fhir/Consent");
        created.then().statusCode(201);
        String location = created.header("Location");
        String consentId = location.substring(location.indexOf("/Consent/") + "/Consent/".length()).split("/")[0];
        Response photo = upload(mrn, "ENC-WITHDRAWN");
        String sop = photo.path("sopInstanceUid");
        settled(photo.path("id"));
        assertEquals(1, scp().receivedCount(sop));
        Set<String> before = new HashSet<>(scp().receivedSopInstanceUids());

        try (HeldUpload held = HeldUpload.start(PLASTICS)) {
            awaitUploadsInFlight(1);
            Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
            withdrawn.setStatus(Consent.ConsentState.INACTIVE);
            withdrawn.setId(consentId);
            Uploads.as(PLASTICS).contentType("application/fhir+json").accept("application/fhir+json")
                    .body(parser.encodeResourceToString(withdrawn)).put("/fhir/Consent/" + consentId)
                    .then().statusCode(200);
            // The rejection note reaches the PACS with the upload still in flight (the bound is 10 minutes).
            await("the rejection note at the C-STORE receiver").atMost(SETTLE)
                    .until(() -> scp().receivedSopInstanceUids().stream().anyMatch(uid -> !before.contains(uid)));
            assertEquals(1, priority.uploadsInFlight(), "the upload was still in flight");
        }
        List<String> notes = scp().receivedSopInstanceUids().stream().filter(uid -> !before.contains(uid)).toList();
        assertEquals(1, notes.size(), "one rejection note: " + notes);
        Uploads.awaitStatus(PLASTICS, photo.path("id"), SETTLE, json -> "WITHDRAWN".equals(json.get("status")));
    }
}
