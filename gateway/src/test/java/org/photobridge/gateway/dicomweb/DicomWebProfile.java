package org.photobridge.gateway.dicomweb;

import java.util.Map;

import org.photobridge.gateway.testing.PostgresProfile;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The DICOMweb door's tests: the gateway on PostgreSQL (database from
 * {@code -Dphotobridge.test.database}), capture without consent (the tests record consent
 * themselves), photos purged once the PACS confirmed them.
 */
public class DicomWebProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return new PostgresProfile().getConfigOverrides();
    }
}
