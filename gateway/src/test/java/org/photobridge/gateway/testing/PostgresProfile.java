package org.photobridge.gateway.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Runs the gateway on the machine's PostgreSQL (127.0.0.1:5432, database photobridge_test made by
 * deploy/setup/postgres-test-db.sh) instead of the embedded default; the schema is rebuilt per run.
 */
public class PostgresProfile implements QuarkusTestProfile {
    /** The test database; {@code -Dphotobridge.test.database=NAME} points a parallel run at another one. */
    public static final String JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/"
            + System.getProperty("photobridge.test.database", "photobridge_test");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "photobridge.db.kind", "postgresql",
                "photobridge.db.url", JDBC_URL,
                "photobridge.db.username", "photobridge",
                "quarkus.flyway.postgresql.clean-disabled", "false",
                "quarkus.flyway.postgresql.clean-at-start", "true");
    }
}
