package org.photobridge.gateway.testing;

import java.util.HashMap;
import java.util.Map;

/** {@link ConsentProfile} on PostgreSQL instead of the embedded database. */
public class PostgresConsentProfile extends ConsentProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        var config = new HashMap<>(super.getConfigOverrides());
        config.putAll(new PostgresProfile().getConfigOverrides());
        return config;
    }
}
