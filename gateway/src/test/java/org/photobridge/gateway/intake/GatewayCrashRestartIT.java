package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestDatabase;

import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * The packaged gateway is killed (SIGKILL, no shutdown hooks) while photos wait for a PACS that is
 * down; started again, it delivers every accepted photo exactly once.
 */
class GatewayCrashRestartIT {
    @TempDir
    Path data;

    private GatewayProcess gateway;

    @AfterEach
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        Orthanc.ensureRunning();
    }

    @Test
    void queuedPhotosSurviveACrashAndAreDeliveredAfterRestart() throws Exception {
        Path keyFile = GatewayProcess.newStorageKey(data.resolve("storage.key"));
        int port = GatewayProcess.freePort();
        // A fresh installation (fresh keys): no other run's queue or audit chain in the database.
        GatewayProcess.resetDatabase(TestDatabase.JDBC_URL, "photobridge", "");

        Orthanc.stop();
        gateway = start(port, keyFile);
        List<Response> accepted = new ArrayList<>();
        String mrn = "MRN-CRASH-" + UUID.randomUUID();
        accepted.add(Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "1.jpg",
                Uploads.metadata(mrn, "ENC-CRASH")));
        accepted.add(Uploads.upload(PLASTICS, TestImages.imageIoPng(TestImages.scene(), false), "2.png",
                Uploads.metadata(mrn, "ENC-CRASH")));
        for (Response response : accepted) {
            response.then().statusCode(202);
        }
        gateway.kill();

        Orthanc.start();
        gateway = start(port, keyFile);
        for (Response response : accepted) {
            Uploads.awaitStoredAndPurged(PLASTICS, response.path("id"));
            assertEquals(1, Orthanc.instancesWithSopUid(response.path("sopInstanceUid")).size(),
                    "delivered exactly once");
        }
    }

    private GatewayProcess start(int port, Path keyFile) {
        RestAssured.port = port;
        return new GatewayProcess("crash", data, port, GatewayProcess.baseConfig(data, keyFile)).start();
    }
}
