package org.photobridge.gateway.intake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.outbox.IntakePriority;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.ReceiversProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Deliveries yield to uploads but are never starved: with an upload held in flight all along, a due
 * delivery waits and then goes at the bound ({@code max-delay} 2 s here), counted at the receivers.
 */
@QuarkusTest
@TestProfile(IntakePriorityBoundTest.ShortBound.class)
@QuarkusTestResource(TestStack.class)
class IntakePriorityBoundTest {
    private static final Duration SETTLE = Duration.ofSeconds(90);

    public static class ShortBound extends ReceiversProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("photobridge.routing.intake-priority.max-delay", "2s");
            return config;
        }
    }

    @Inject
    IntakePriority priority;

    @Test
    void aDeliveryWaitingForUploadsThatKeepComingGoesAtTheBound() {
        var before = priority.snapshot();
        Response photo;
        try (HeldUpload held = HeldUpload.start(PLASTICS)) {
            await().atMost(SETTLE).until(() -> priority.uploadsInFlight() == 1);
            photo = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg",
                    Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-BOUND"));
            photo.then().statusCode(202);
            String sop = photo.path("sopInstanceUid");
            Receivers.scp().awaitReceived(sop, SETTLE);
            Receivers.stow().awaitReceived(sop, SETTLE);
            assertEquals(1, priority.uploadsInFlight(), "delivered while the upload was still in flight");
        }
        var after = priority.snapshot();
        assertTrue(after.deferrals() > before.deferrals(), "the deliveries waited first: " + after);
        assertTrue(after.turnsAtMaxDelay() >= before.turnsAtMaxDelay() + 2,
                "each of the two deliveries went at the bound: " + after);
        Map<String, Object> settled = Uploads.awaitStatus(PLASTICS, photo.path("id"), SETTLE,
                json -> "STORED".equals(json.get("status")));
        List<Map<String, Object>> deliveries = PhotoUploadToPacsTest.castList(settled.get("deliveries"));
        for (Map<String, Object> delivery : deliveries) {
            assertEquals(1, ((Number) delivery.get("attempts")).intValue(), "one attempt each: " + delivery);
        }
        assertEquals(1, Receivers.scp().receivedCount(photo.path("sopInstanceUid")));
        assertEquals(1, Receivers.stow().receivedCount(photo.path("sopInstanceUid")));
    }
}
