package org.photobridge.gateway.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The gateway with two destinations, each with a receiver of its own that counts what it gets
 * ({@link Receivers}); the test stack's two Orthanc destinations are switched off, so no copy goes
 * where it cannot be counted. Destination checks stand {@link #CHECK_MAX_AGE}, short enough for
 * ReadinessChecksTest to see several renewals: the tests that count at these receivers share one
 * Quarkus application rather than each restarting it for a setting of its own.
 */
public class ReceiversProfile implements QuarkusTestProfile {
    /** How long a destination's last check stands here ({@code photobridge.destination-check.max-age}). */
    public static final Duration CHECK_MAX_AGE = Duration.ofSeconds(4);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.destinations.pacs-dimse.enabled", "false",
                "photobridge.destinations.pacs-stow.enabled", "false",
                "photobridge.destination-check.max-age", CHECK_MAX_AGE.toSeconds() + "s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Receivers.class));
    }
}
