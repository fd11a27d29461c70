package org.photobridge.gateway.faults;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.RecordingScp;

/**
 * The documented duplicate window, made to happen: the gateway halts (exit 137, as SIGKILL) right
 * after the PACS confirmed a C-STORE and before it recorded that; started again without the fault
 * point, it sends the photo again. The receiver then holds exactly two copies of that SOP Instance,
 * and the photo ends STORED. Delivery is at-least-once; this is the only place a second copy comes from.
 */
class CrashWindowIT {
    private static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path data;

    private GatewayProcess gateway;
    private RecordingScp scp;

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        if (scp != null) {
            scp.close();
        }
    }

    @Test
    void haltBetweenPacsConfirmationAndRecordGivesExactlyOneDuplicate() throws Exception {
        long started = System.nanoTime();
        var db = Campaign.Db.tests();
        db.reset();
        scp = new RecordingScp("RECV-CRASH").start();
        Map<String, String> config = GatewayProcess.baseConfig(data,
                GatewayProcess.newStorageKey(data.resolve("storage.key")));
        config.putAll(Campaign.destinations(scp, null, "none"));
        config.put("photobridge.routing.instance-id", "crash-window");
        config.put("photobridge.fault-injection.halt-after-pacs-confirmed", "true");
        gateway = new GatewayProcess("crash-window", data, GatewayProcess.freePort(), config).start();

        var uploader = new Uploader(TestImages.jpeg(TestImages.scene()));
        assertEquals(Uploader.Outcome.ACCEPTED,
                uploader.upload(gateway.name(), gateway.baseUrl(), "MRN-WINDOW-" + UUID.randomUUID()),
                "upload accepted; errors: " + uploader.errorSamples);
        Uploader.Accepted photo = uploader.acceptedList().get(0);

        int exit = gateway.awaitExit(SETTLE);
        assertEquals(137, exit, "halted by the fault point; log:\n" + gateway.logTail(40));
        assertEquals(1, scp.receivedCount(photo.sopInstanceUid()),
                "the PACS confirmed (and holds) the first copy before the halt: " + scp.receivedCounts());
        assertEquals(1, gateway.logLinesContaining("fault injection: halting").size());

        gateway.set("photobridge.fault-injection.halt-after-pacs-confirmed", "false").start();
        String token = Keycloak.token(Uploader.PLASTICS);
        await("photo " + photo.id() + " STORED after the restart").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                .until(() -> "STORED".equals(given().baseUri(gateway.baseUrl()).auth().oauth2(token)
                        .get("/api/v1/photos/" + photo.id()).then().statusCode(200).extract().path("status")));
        await("nothing left to do").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                .until(() -> db.pendingWork("PACS_DELIVERY") == 0);
        Map<String, Object> status = given().baseUri(gateway.baseUrl()).auth().oauth2(token)
                .get("/api/v1/photos/" + photo.id()).then().statusCode(200).extract().jsonPath().getMap("$");

        int copies = scp.receivedCount(photo.sopInstanceUid());
        System.out.printf("CAMPAIGN crash-window uploads=1 accepted=1 halt-exit=%d copies(dimse)=%d duplicates(dimse)=%d"
                + " status=%s deliveries=%s took=%ds%n", exit, copies, copies - 1, status.get("status"),
                status.get("deliveries"), Duration.ofNanos(System.nanoTime() - started).toSeconds());
        assertEquals(2, copies, "exactly one second copy, from the redelivery: " + scp.receivedCounts());
        assertEquals("STORED", status.get("status"));
    }
}
