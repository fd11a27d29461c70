package org.photobridge.gateway.edge;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The production configuration plus one http permission no demo user passes, so that a 403 of the
 * permission layer itself (not of a resource) can be seen on both doors.
 */
public class EdgeTestProfile implements QuarkusTestProfile {
    static final String DENIED_API_PATH = "/api/v1/edge-test/denied";
    static final String DENIED_FHIR_PATH = "/fhir/edge-test/denied";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.auth.policy.edge-test.roles-allowed", "no-user-has-this-role",
                "quarkus.http.auth.permission.edge-test.paths", DENIED_API_PATH + "," + DENIED_FHIR_PATH,
                "quarkus.http.auth.permission.edge-test.policy", "edge-test");
    }
}
