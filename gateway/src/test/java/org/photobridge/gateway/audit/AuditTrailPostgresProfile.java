package org.photobridge.gateway.audit;

import java.util.HashMap;
import java.util.Map;

import org.photobridge.gateway.testing.PostgresProfile;

import io.quarkus.test.junit.QuarkusTestProfile;

/** PostgreSQL, a gateway of its own, and a periodic check every 2 seconds (tampering tests hold it off). */
public class AuditTrailPostgresProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        var config = new HashMap<>(new PostgresProfile().getConfigOverrides());
        config.put("photobridge.audit.checkpoint-interval", "2s");
        return config;
    }
}
