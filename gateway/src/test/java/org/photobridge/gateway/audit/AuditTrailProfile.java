package org.photobridge.gateway.audit;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A gateway of its own (no other test writes to its trail), checkpoints after
 * every 5 entries and no periodic check during the run (the tests drive verification themselves).
 */
public class AuditTrailProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.audit.checkpoint-every-entries", "5",
                "photobridge.audit.checkpoint-interval", "1h");
    }
}
