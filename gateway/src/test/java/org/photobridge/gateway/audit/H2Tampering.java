package org.photobridge.gateway.audit;

import java.sql.Statement;

import org.hibernate.Session;

import io.quarkus.narayana.jta.QuarkusTransaction;

/** Tampers with the embedded H2 database: drops the append-only trigger, works, creates it again. */
final class H2Tampering implements Tampering {
    private final Session session;

    H2Tampering(Session session) {
        this.session = session;
    }

    @Override
    public void tamper(Work work) {
        QuarkusTransaction.requiringNew().run(() -> session.doWork(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("drop trigger if exists audit_entry_append_only");
            }
            try {
                work.run(connection);
            } finally {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("create trigger audit_entry_append_only before update, delete on audit_entry "
                            + "for each row call '" + AppendOnlyTrigger.class.getName() + "'");
                }
            }
        }));
    }
}
