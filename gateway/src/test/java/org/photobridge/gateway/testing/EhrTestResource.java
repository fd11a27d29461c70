package org.photobridge.gateway.testing;

import java.util.Map;

import org.photobridge.fhir.ehrtest.EhrTestServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the independent HAPI server that stands in for the hospital's EHR, and links the gateway to it. */
public class EhrTestResource implements QuarkusTestResourceLifecycleManager {
    private static EhrTestServer server;

    public static EhrTestServer ehr() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        server = new EhrTestServer().start();
        return Map.of("photobridge.ehr.url", server.baseUrl(), "photobridge.ehr.timeout", "3s");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
