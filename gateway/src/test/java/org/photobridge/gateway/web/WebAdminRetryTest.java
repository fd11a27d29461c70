package org.photobridge.gateway.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.BrokenDestinationProfile;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The administration page's retry button in a real browser: a delivery that a destination refused
 * for good (the profile's "broken" STOW-RS URL answers 404) is listed with its reason, the
 * administrator clicks Retry, and the work queue shows the item tried again after the click.
 */
@QuarkusTest
@TestProfile(BrokenDestinationProfile.class)
@QuarkusTestResource(TestStack.class)
class WebAdminRetryTest {
    private static final String ADMIN = "gateway.admin";

    @TestHTTPResource("/web/")
    URL web;

    @BeforeAll
    static void installBrowser() throws Exception {
        Browser.install();
    }

    @AfterAll
    static void unregister() {
        WebClientRegistration.unregisterPages();
    }

    @Test
    void administratorRetriesAFailedDeliveryFromThePage() throws Exception {
        String redirectUri = WebClientRegistration.registerPage(web);
        var photo = WebTestData.upload("plastics.surgeon", "WEB-ADM-" + UUID.randomUUID(), "ENC-ADM-" + UUID.randomUUID(),
                "plastic-surgery", "anterior", 7);
        Map<String, Object> failed = awaitBrokenDelivery(photo.id(), Instant.EPOCH)
                .orElseThrow(() -> new AssertionError("the broken destination's delivery was not parked as FAILED"));
        String itemId = (String) failed.get("id");
        assertTrue(String.valueOf(failed.get("lastError")).contains("404"), failed.toString());

        Instant clicked = Instant.now();
        var input = new HashMap<String, Object>();
        input.put("user", ADMIN);
        input.put("password", WebClientRegistration.password(ADMIN));
        input.put("retry", itemId);
        JsonNode report = Browser.run(redirectUri, "admin", input);

        List<String> rows = new ArrayList<>();
        report.path("failedRows").forEach(r -> rows.add(r.asText()));
        assertTrue(rows.contains(itemId), "the page lists the parked delivery: " + rows);
        assertEquals("Queued again", report.path("retried").asText());
        Map<String, Object> again = awaitBrokenDelivery(photo.id(), clicked)
                .orElseThrow(() -> new AssertionError("the click did not send the delivery again"));
        assertEquals(1, again.get("attempts"), "the retry starts the count afresh and was tried once");
    }

    /** The broken destination's FAILED delivery of the photo, changed after {@code after}, within a minute. */
    private static Optional<Map<String, Object>> awaitBrokenDelivery(String photoId, Instant after)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> items = given().auth().oauth2(Keycloak.token(ADMIN))
                    .queryParam("kind", "PACS_DELIVERY").queryParam("status", "FAILED").queryParam("limit", 100)
                    .get("/api/v1/work").then().statusCode(200).extract().jsonPath().getList("items");
            Optional<Map<String, Object>> item = items.stream()
                    .filter(i -> photoId.equals(i.get("photoId")) && "broken".equals(i.get("destination")))
                    .filter(i -> Instant.parse((String) i.get("updatedAt")).isAfter(after))
                    .findFirst();
            if (item.isPresent()) {
                return item;
            }
            Thread.sleep(500);
        }
        return Optional.empty();
    }
}
