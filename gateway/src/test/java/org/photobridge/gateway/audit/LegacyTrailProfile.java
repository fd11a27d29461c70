package org.photobridge.gateway.audit;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A gateway upgraded from a database whose V2 audit trail was edited (see {@link LegacyTrail}). */
public class LegacyTrailProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(LegacyTrail.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
