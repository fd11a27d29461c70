package org.photobridge.gateway.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Capture policy {@code warn}: photos without a covering consent are accepted and flagged. */
public class WarnPolicyProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("photobridge.consent.capture-policy", "warn");
    }
}
