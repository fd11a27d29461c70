package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Duration;
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

/** With intake priority switched off, a delivery goes at once whatever uploads are in flight. */
@QuarkusTest
@TestProfile(IntakePriorityOffTest.Off.class)
@QuarkusTestResource(TestStack.class)
class IntakePriorityOffTest {
    private static final Duration SETTLE = Duration.ofSeconds(90);

    public static class Off extends ReceiversProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("photobridge.routing.intake-priority.enabled", "false");
            // Were it on, nothing could go while an upload is held: the bound is out of reach.
            config.put("photobridge.routing.intake-priority.max-delay", "10m");
            return config;
        }
    }

    @Inject
    IntakePriority priority;

    @Test
    void switchedOffADeliveryGoesWhileAnUploadIsInFlight() {
        try (HeldUpload held = HeldUpload.start(PLASTICS)) {
            org.awaitility.Awaitility.await().atMost(SETTLE).until(() -> priority.uploadsInFlight() == 1);
            Response photo = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg",
                    Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-OFF"));
            photo.then().statusCode(202);
            String sop = photo.path("sopInstanceUid");
            Receivers.scp().awaitReceived(sop, SETTLE);
            Receivers.stow().awaitReceived(sop, SETTLE);
            assertEquals(1, priority.uploadsInFlight(), "delivered while the upload was in flight");
            var snapshot = priority.snapshot();
            assertFalse(snapshot.enabled());
            assertFalse(snapshot.yielding());
            assertEquals(0, snapshot.deferrals(), "nothing waited: " + snapshot);
        }
        org.awaitility.Awaitility.await().atMost(SETTLE).until(() -> priority.uploadsInFlight() == 0);
    }
}
