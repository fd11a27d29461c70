package org.photobridge.gateway.web;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Step-up for sensitive body sites switched on, as in production (the test default is off). */
public class StepUpProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("photobridge.step-up.enabled", "true");
    }
}
