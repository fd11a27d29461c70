package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.ReceiversProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * {@code /q/health/ready} is public, so it must not let anyone make the gateway hammer the PACS:
 * readiness answers from the destinations' last checks, renewed at most once per
 * {@code photobridge.destination-check.max-age}. Counted at a real C-ECHO peer (dcmtk storescp, whose
 * log names every Echo Request it gets).
 */
@QuarkusTest
@TestProfile(ReceiversProfile.class)
@QuarkusTestResource(TestStack.class)
class ReadinessChecksTest {
    private static final Duration MAX_AGE = ReceiversProfile.CHECK_MAX_AGE;
    private static final Pattern ECHO = Pattern.compile("Received Echo Request");
    private static final int CALLS = 40;

    private static long echoes() {
        return ECHO.matcher(Receivers.scp().log()).results().count();
    }

    @Test
    void manyReadinessCallsCauseAtMostOneEchoPerMaxAge() {
        given().get("/q/health/ready").then().statusCode(200);
        long before = echoes();
        Instant start = Instant.now();

        for (int i = 0; i < CALLS; i++) {
            given().get("/q/health/ready").then().statusCode(200);
        }

        Duration elapsed = Duration.between(start, Instant.now());
        long echoes = echoes() - before;
        long intervals = elapsed.toMillis() / MAX_AGE.toMillis() + 1;
        assertTrue(echoes <= intervals, CALLS + " readiness calls in " + elapsed.toMillis() + " ms caused " + echoes
                + " C-ECHOs; at most one per " + MAX_AGE + " is allowed");
        assertTrue(echoes < CALLS, "every readiness call reached the PACS");
    }

    @Test
    void administratorsSeeWhenEachDestinationWasLastCheckedAndAnOutageShowsWithinMaxAge() {
        var dimse = destination(admin(), Receivers.DIMSE);
        assertEquals("UP", dimse.get("status"), dimse.toString());
        Instant firstCheck = Instant.parse(dimse.get("checkedAt"));
        assertTrue(dimse.get("detail") != null && !dimse.get("detail").isBlank(), dimse.toString());

        Receivers.scp().stop();
        try {
            Instant deadline = Instant.now().plus(MAX_AGE.multipliedBy(10));
            int status = 200;
            while (status != 503 && Instant.now().isBefore(deadline)) {
                status = given().get("/q/health/ready").statusCode();
                sleep(200);
            }
            assertEquals(503, status, "readiness did not see the receiver go away after its check aged out");
            var down = destination(admin(), Receivers.DIMSE);
            assertEquals("DOWN", down.get("status"), down.toString());
            assertTrue(Instant.parse(down.get("checkedAt")).isAfter(firstCheck), down.toString());
        } finally {
            Receivers.scp().restart();
        }
        Instant deadline = Instant.now().plus(MAX_AGE.multipliedBy(10));
        while (given().get("/q/health/ready").statusCode() != 200 && Instant.now().isBefore(deadline)) {
            sleep(200);
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static Response admin() {
        Response answer = given().auth().oauth2(Keycloak.token("gateway.admin")).get("/api/v1/work/destinations");
        assertEquals(200, answer.statusCode(), answer.asString());
        return answer;
    }

    private static Map<String, String> destination(Response answer, String name) {
        List<Map<String, String>> destinations = answer.path("destinations");
        return destinations.stream().filter(d -> name.equals(d.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing: " + answer.asString()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
