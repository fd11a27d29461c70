package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.BrokenDestinationProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** The administration page's summary agrees with the queue it summarises, and shows a parked delivery. */
@QuarkusTest
@TestProfile(BrokenDestinationProfile.class)
@QuarkusTestResource(TestStack.class)
class WorkSummaryTest {
    private static final String ADMIN = "gateway.admin";

    @Test
    @SuppressWarnings("unchecked")
    void summaryCountsDeliveriesByStateAndTheQueue() {
        Response accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "s.jpg",
                Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-SUMMARY"));
        accepted.then().statusCode(202);
        Uploads.awaitStatus(PLASTICS, accepted.path("id"), "FAILED");

        Response summary = Uploads.as(ADMIN).get("/api/v1/work/summary");
        summary.then().statusCode(200).header("Cache-Control", "no-store");
        Map<String, Integer> deliveries = summary.path("deliveries");
        assertEquals(java.util.Set.of("QUEUED", "RETRYING", "DONE", "FAILED"), deliveries.keySet());
        assertTrue(deliveries.get("FAILED") >= 1, "the parked delivery: " + deliveries);
        Map<String, Map<String, Integer>> counts = summary.path("counts");
        assertEquals(deliveries, counts.get("PACS_DELIVERY"), "deliveries are the PACS_DELIVERY row");
        int failed = counts.values().stream().mapToInt(c -> c.get("FAILED")).sum();
        assertEquals(failed, (int) summary.path("failed"));
        int depth = counts.values().stream().mapToInt(c -> c.get("QUEUED") + c.get("RETRYING")).sum();
        assertEquals(depth, (int) summary.path("queueDepth"));
        String oldest = summary.path("oldestQueuedAt");
        if (oldest == null) {
            org.junit.jupiter.api.Assertions.assertNull(summary.path("oldestQueuedAgeSeconds"));
        } else {
            assertTrue(!Instant.parse(oldest).isAfter(Instant.now()), oldest);
            assertTrue(((Number) summary.path("oldestQueuedAgeSeconds")).longValue() >= 0);
        }
        Uploads.as(PLASTICS).get("/api/v1/work/summary").then().statusCode(403);
    }
}
