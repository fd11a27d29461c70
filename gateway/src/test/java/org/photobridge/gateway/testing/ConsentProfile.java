package org.photobridge.gateway.testing;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The gateway as a consent-enforcing hospital runs it: capture needs consent, the gateway is linked
 * to an EHR (a second, independent HAPI server), and withdrawal deletes photos from Orthanc through
 * its REST API (pacs-dimse) and sends an IOCM rejection note (pacs-stow).
 */
public class ConsentProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.consent.capture-policy", "require",
                "photobridge.destinations.pacs-dimse.withdrawal-action", "delete",
                "photobridge.destinations.pacs-dimse.rest-url", Orthanc.httpBase(),
                "photobridge.destinations.pacs-stow.withdrawal-action", "reject");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EhrTestResource.class));
    }
}
