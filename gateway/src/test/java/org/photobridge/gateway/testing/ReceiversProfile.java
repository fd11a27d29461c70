package org.photobridge.gateway.testing;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The gateway with two destinations, each with a receiver of its own that counts what it gets
 * ({@link Receivers}); the test stack's two Orthanc destinations are switched off, so no copy goes
 * where it cannot be counted.
 */
public class ReceiversProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.destinations.pacs-dimse.enabled", "false",
                "photobridge.destinations.pacs-stow.enabled", "false");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Receivers.class));
    }
}
