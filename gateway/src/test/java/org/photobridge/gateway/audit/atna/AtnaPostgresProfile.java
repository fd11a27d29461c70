package org.photobridge.gateway.audit.atna;

import java.util.List;
import java.util.Map;


import io.quarkus.test.junit.QuarkusTestProfile;

/** The gateway on PostgreSQL with its ATNA export pointed at a real rsyslog ({@link AtnaCollectorResource}). */
public class AtnaPostgresProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of();
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(AtnaCollectorResource.class));
    }
}
