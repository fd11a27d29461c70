package org.photobridge.gateway.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.photobridge.gateway.testing.TestDatabase;

/**
 * Tampers with PostgreSQL as its superuser (trust authentication on 127.0.0.1), who may disable the
 * append-only triggers for the length of a transaction: exactly what an attacking DBA would do.
 */
final class PostgresTampering implements Tampering {

    @Override
    public void tamper(Work work) {
        try (Connection connection = DriverManager.getConnection(TestDatabase.JDBC_URL, "postgres", "")) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("alter table audit_entry disable trigger user");
            }
            work.run(connection);
            try (Statement statement = connection.createStatement()) {
                statement.execute("alter table audit_entry enable trigger user");
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("tampering as the PostgreSQL superuser failed: " + e.getMessage(), e);
        }
    }
}
