package org.photobridge.gateway.testing;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The test stack's real Orthanc: REST queries (with the stack's generated credentials: Orthanc
 * answers 401 without them), and stopping and starting it to simulate outages.
 */
public final class Orthanc {
    private Orthanc() {
    }

    public static String httpBase() {
        return "http://127.0.0.1:" + TestStackProperties.value("orthanc.http-port");
    }

    public static String dicomWebBase() {
        return httpBase() + "/dicom-web";
    }

    /** The REST user the test stack generated for Orthanc. */
    public static String username() {
        return TestStackProperties.value("orthanc.username");
    }

    public static String password() {
        return TestStackProperties.value("orthanc.password");
    }

    /** A REST Assured request to Orthanc carrying its credentials. */
    public static RequestSpecification rest() {
        return given().auth().preemptive().basic(username(), password());
    }

    /** Orthanc's internal ids of instances with this SOP Instance UID (empty when not stored). */
    public static List<String> instancesWithSopUid(String sopInstanceUid) {
        return rest().contentType("application/json")
                .body(Map.of("Level", "Instance", "Query", Map.of("SOPInstanceUID", sopInstanceUid)))
                .post(httpBase() + "/tools/find").then().statusCode(200).extract().jsonPath().getList("$", String.class);
    }

    /** The Part 10 file Orthanc stored for an instance. */
    public static byte[] file(String orthancId) {
        return rest().get(httpBase() + "/instances/" + orthancId + "/file").then().statusCode(200).extract()
                .asByteArray();
    }

    /** Orthanc's simplified tags of an instance (name to value). */
    public static Map<String, Object> simplifiedTags(String orthancId) {
        return rest().get(httpBase() + "/instances/" + orthancId + "/simplified-tags").then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    public static String transferSyntax(String orthancId) {
        return rest().get(httpBase() + "/instances/" + orthancId + "/metadata/TransferSyntax").then()
                .statusCode(200).extract().asString();
    }

    /** How many instances Orthanc holds in all. */
    public static int instanceCount() {
        return rest().get(httpBase() + "/statistics").then().statusCode(200).extract().path("CountInstances");
    }

    public static boolean isUp() {
        try {
            Response response = rest().get(httpBase() + "/system");
            return response.statusCode() == 200;
        } catch (Exception e) {
            // REST Assured rethrows ConnectException undeclared.
            return false;
        }
    }

    public static void stop() {
        run(TestStackProperties.value("orthanc.stop-command"));
        waitFor(false);
    }

    public static void start() {
        run(TestStackProperties.value("orthanc.start-command"));
        waitFor(true);
    }

    public static void ensureRunning() {
        if (!isUp()) {
            start();
        }
    }

    private static void waitFor(boolean up) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (isUp() != up) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Orthanc did not " + (up ? "start" : "stop") + " within 60 s");
            }
            sleep(200);
        }
    }

    private static void run(String command) {
        try {
            Process process = new ProcessBuilder("bash", "-c", command).inheritIO().start();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("'" + command + "' exited with " + exit);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
