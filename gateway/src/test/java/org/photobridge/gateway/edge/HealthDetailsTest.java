package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;
import org.photobridge.gateway.testing.TestStackProperties;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code /q/health/*} is public: it says UP or DOWN per check and nothing else, no host, port, AE
 * title, URL or reason. Administrators get the destinations' details at {@code /api/v1/work/destinations}.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class HealthDetailsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @SuppressWarnings("unchecked")
    void publicHealthSaysUpOrDownOnly() throws Exception {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/health/started")) {
            Response answer = given().get(path);
            assertTrue(answer.statusCode() == 200 || answer.statusCode() == 503, path + ": " + answer.statusCode());
            String body = answer.asString();
            for (String secret : secrets()) {
                assertFalse(body.contains(secret), path + " tells anonymous callers '" + secret + "': " + body);
            }
            Map<String, Object> health = JSON.readValue(body, Map.class);
            assertTrue(List.of("UP", "DOWN").contains(health.get("status")), body);
            for (Map<String, Object> check : (List<Map<String, Object>>) health.get("checks")) {
                assertTrue(List.of("UP", "DOWN").contains(check.get("status")), body);
                if (check.get("name").equals("destinations")) {
                    assertFalse(check.containsKey("data"), "destination details: " + body);
                }
            }
        }
        var ready = JSON.readValue(given().get("/q/health/ready").asString(), Map.class);
        assertTrue(((List<Map<String, Object>>) ready.get("checks")).stream()
                .anyMatch(c -> c.get("name").equals("destinations")), "the destinations still count for readiness");
    }

    @Test
    void administratorsSeeTheDestinationsDetails() {
        Response answer = given().auth().oauth2(Keycloak.token("gateway.admin")).get("/api/v1/work/destinations");
        assertEquals(200, answer.statusCode(), answer.asString());
        assertTrue(answer.header("Cache-Control").contains("no-store"));
        assertEquals("UP", answer.path("status"), answer.asString());
        List<String> names = answer.path("destinations.name");
        assertTrue(names.containsAll(List.of("pacs-dimse", "pacs-stow")), names.toString());
        List<String> details = answer.path("destinations.detail");
        assertTrue(details.stream().allMatch(d -> d != null && !d.isBlank()), details.toString());
        assertTrue(String.join(" ", details).contains(TestStackProperties.value("orthanc.ae-title"))
                || String.join(" ", details).contains(TestStackProperties.value("orthanc.http-port")),
                "the details name the peer: " + details);
    }

    @Test
    void othersGetNoDetails() {
        given().get("/api/v1/work/destinations").then().statusCode(401);
        for (String user : List.of("derm.photographer", "plastics.surgeon", "compliance.officer")) {
            Response answer = given().auth().oauth2(Keycloak.token(user)).get("/api/v1/work/destinations");
            assertEquals(403, answer.statusCode(), user);
            for (String secret : secrets()) {
                assertFalse(answer.asString().contains(secret), user + ": " + answer.asString());
            }
        }
    }

    /** What the health output must not tell: the PACS's address, port, AE titles and URLs. */
    private static List<String> secrets() {
        return List.of("127.0.0.1", "localhost", "http://", TestStackProperties.value("orthanc.dicom-port"),
                TestStackProperties.value("orthanc.http-port"), TestStackProperties.value("orthanc.ae-title"),
                TestStackProperties.value("orthanc.calling-ae-title"), "pacs-dimse", "pacs-stow", "dicom-web");
    }
}
