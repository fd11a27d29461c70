package org.photobridge.gateway.access;

import java.util.HashMap;
import java.util.Map;

import org.photobridge.gateway.testing.ConsentProfile;

/** The consent-enforcing gateway with step-up on, as every deployment runs it. */
public class StepUpProfile extends ConsentProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        var overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("photobridge.step-up.enabled", "true");
        return overrides;
    }
}
