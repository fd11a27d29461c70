package org.photobridge.gateway.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Adds a destination that refuses every photo for good (a STOW-RS URL on Orthanc that does not
 * exist: HTTP 404; with Orthanc's credentials, or it would be a 401), to exercise FAILED deliveries
 * and the admin's retry.
 */
public class BrokenDestinationProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.destinations.broken.kind", "stow-rs",
                "photobridge.destinations.broken.url", Orthanc.httpBase() + "/no-such-dicom-web",
                "photobridge.destinations.broken.username", Orthanc.username(),
                "photobridge.destinations.broken.password", Orthanc.password(),
                "photobridge.destinations.broken.plain-http-on-loopback", "true");
    }
}
