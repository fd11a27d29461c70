package org.photobridge.gateway.intake;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.BrokenDestinationProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** A destination that refuses for good parks the delivery as FAILED; only an admin can requeue it. */
@QuarkusTest
@TestProfile(BrokenDestinationProfile.class)
@QuarkusTestResource(TestStack.class)
class FailedDeliveryRetryTest {

    @Test
    void permanentRefusalIsParkedVisiblyAndRetriedOnlyByAnAdmin() {
        Response accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "f.jpg",
                Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-FAIL"));
        accepted.then().statusCode(202);
        String id = accepted.path("id");

        Map<String, Object> failed = Uploads.awaitStatus(PLASTICS, id, "FAILED");
        Map<String, Object> broken = delivery(failed, "broken");
        assertEquals("FAILED", broken.get("status"));
        assertEquals(1, broken.get("attempts"), "a permanent refusal is not retried automatically");
        assertTrue(String.valueOf(broken.get("lastError")).contains("404"), broken.toString());
        Uploads.awaitStatus(PLASTICS, id, Duration.ofSeconds(30),
                json -> "STORED".equals(delivery(json, "pacs-dimse").get("status")));
        assertEquals(Boolean.FALSE, failed.get("bytesPurged"), "bytes stay while a destination lacks the photo");

        Uploads.as(PLASTICS).post("/api/v1/photos/" + id + "/retry").then().statusCode(403);
        Instant retried = Instant.now();
        Uploads.as("gateway.admin").post("/api/v1/photos/" + id + "/retry").then().statusCode(200)
                .body("id", equalTo(id));
        Map<String, Object> again = Uploads.awaitStatus(PLASTICS, id, Duration.ofSeconds(30),
                json -> "FAILED".equals(delivery(json, "broken").get("status"))
                        && Instant.parse((String) delivery(json, "broken").get("updatedAt")).isAfter(retried));
        assertEquals(1, delivery(again, "broken").get("attempts"), "the retry counted afresh and was tried");
        assertEquals("STORED", delivery(again, "pacs-dimse").get("status"), "stored deliveries are left alone");

        // The same item through the work queue door, with the same states as every other kind.
        var queue = Uploads.as("gateway.admin").queryParam("kind", "PACS_DELIVERY").queryParam("status", "FAILED")
                .get("/api/v1/work").then().statusCode(200).extract().jsonPath();
        for (String kind : List.of("PACS_DELIVERY", "PACS_WITHDRAWAL", "EHR_PUBLICATION")) {
            assertEquals(Set.of("QUEUED", "RETRYING", "DONE", "FAILED"),
                    queue.getMap("counts." + kind).keySet(), "every kind counts the same four states");
        }
        assertTrue(queue.getLong("counts.PACS_DELIVERY.FAILED") >= 1, queue.prettify());
        List<Map<String, Object>> items = queue.getList("items");
        Map<String, Object> item = items.stream()
                .filter(i -> id.equals(i.get("photoId")) && "broken".equals(i.get("destination"))).findFirst()
                .orElseThrow(() -> new AssertionError("the parked delivery is listed: " + items));
        assertEquals("FAILED", item.get("status"));
        assertTrue(String.valueOf(item.get("lastError")).contains("404"), item.toString());
        String itemId = (String) item.get("id");
        Uploads.as(PLASTICS).post("/api/v1/work/" + itemId + "/retry").then().statusCode(403);
        Instant requeued = Instant.now();
        Uploads.as("gateway.admin").post("/api/v1/work/" + itemId + "/retry").then().statusCode(200)
                .body("status", equalTo("QUEUED")).body("attempts", equalTo(0));
        Map<String, Object> third = Uploads.awaitStatus(PLASTICS, id, Duration.ofSeconds(30),
                json -> "FAILED".equals(delivery(json, "broken").get("status"))
                        && Instant.parse((String) delivery(json, "broken").get("updatedAt")).isAfter(requeued));
        assertEquals(1, delivery(third, "broken").get("attempts"), "requeued through the work door and tried again");
        Uploads.as("gateway.admin").post("/api/v1/work/" + UUID.randomUUID() + "/retry").then().statusCode(404);
        Uploads.as("gateway.admin").queryParam("status", "SOMETIMES").get("/api/v1/work").then().statusCode(400);
    }

    private static Map<String, Object> delivery(Map<String, Object> photo, String destination) {
        List<Map<String, Object>> deliveries = PhotoUploadToPacsTest.castList(photo.get("deliveries"));
        return deliveries.stream().filter(d -> destination.equals(d.get("destination"))).findFirst().orElseThrow();
    }
}
