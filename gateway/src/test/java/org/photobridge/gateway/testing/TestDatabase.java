package org.photobridge.gateway.testing;

/**
 * The tests' PostgreSQL: the machine's server on 127.0.0.1:5432 with trust authentication, database
 * photobridge_test made by deploy/setup/postgres-test-db.sh. {@code -Dpbtest.database=NAME}
 * points a parallel run at another database (the same property application.properties reads).
 */
public final class TestDatabase {
    public static final String JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/"
            + System.getProperty("pbtest.database", "photobridge_test");

    private TestDatabase() {
    }
}
