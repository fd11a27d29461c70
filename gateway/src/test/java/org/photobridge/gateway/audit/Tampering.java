package org.photobridge.gateway.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.photobridge.gateway.persistence.AuditEntry;

/**
 * Changes the audit tables behind the gateway's back, as a database administrator would: with the
 * append-only trigger out of the way, on a connection of its own.
 */
interface Tampering {

    /** Work on the audit tables over JDBC. */
    interface Work {
        void run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} with the append-only trigger disabled, and commits. */
    void tamper(Work work);

    /** The entries from {@code from} on, as stored. */
    default List<AuditEntry> entries(long from) {
        var entries = new ArrayList<AuditEntry>();
        tamper(c -> {
            try (PreparedStatement query = c.prepareStatement(
                    "select * from audit_entry where sequence >= ? order by sequence")) {
                query.setLong(1, from);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
            }
        });
        return entries;
    }

    /** How many entries the table holds, counted by the database. */
    default long count() {
        long[] count = new long[1];
        tamper(c -> {
            try (PreparedStatement query = c.prepareStatement("select count(*) from audit_entry");
                    ResultSet rows = query.executeQuery()) {
                rows.next();
                count[0] = rows.getLong(1);
            }
        });
        return count[0];
    }

    /**
     * Applies {@code change} to every entry from {@code from} on, then recomputes their links, their chain
     * codes (with {@code code}) and the head: what someone rewriting history would do.
     */
    default void rechain(long from, Consumer<AuditEntry> change, Function<AuditEntry, String> code) {
        rechain(from, Long.MAX_VALUE, change, code, true);
    }

    /** Like {@link #rechain(long, Consumer, Function)} for the entries {@code from} to {@code to} only; the head stays. */
    default void rechainOnly(long from, long to, Consumer<AuditEntry> change, Function<AuditEntry, String> code) {
        rechain(from, to, change, code, false);
    }

    private void rechain(long from, long to, Consumer<AuditEntry> change, Function<AuditEntry, String> code,
            boolean moveHead) {
        List<AuditEntry> entries = entries(from).stream().filter(e -> e.sequence <= to).toList();
        tamper(c -> {
            String previous = entries.get(0).previousHash;
            for (AuditEntry e : entries) {
                change.accept(e);
                e.previousHash = previous;
                e.hash = code.apply(e);
                rewrite(c, e);
                previous = e.hash;
            }
            if (moveHead) {
                setHead(c, entries.get(entries.size() - 1).sequence, previous);
            }
        });
    }

    private static AuditEntry entry(ResultSet rows) throws SQLException {
        var e = new AuditEntry();
        e.sequence = rows.getLong("sequence");
        e.id = rows.getString("id");
        e.recorded = rows.getObject("recorded", OffsetDateTime.class).toInstant();
        e.action = rows.getString("action");
        e.success = rows.getBoolean("success");
        e.agent = rows.getString("agent");
        e.agentName = rows.getString("agent_name");
        e.agentRoles = rows.getString("agent_roles");
        e.patientSystem = rows.getString("patient_system");
        e.patientValue = rows.getString("patient_value");
        e.entities = rows.getString("entities");
        e.detail = rows.getString("detail");
        e.previousHash = rows.getString("previous_hash");
        e.hash = rows.getString("hash");
        e.scheme = rows.getString("scheme");
        return e;
    }

    /** Inserts {@code e} as it is, chain code included. */
    static void insert(Connection c, AuditEntry e) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into audit_entry (sequence, id, recorded, action, "
                + "success, agent, agent_name, agent_roles, patient_system, patient_value, entities, detail, "
                + "previous_hash, hash, scheme) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, e.sequence);
            insert.setString(2, e.id);
            insert.setObject(3, e.recorded.atOffset(java.time.ZoneOffset.UTC));
            insert.setString(4, e.action);
            insert.setBoolean(5, e.success);
            insert.setString(6, e.agent);
            insert.setString(7, e.agentName);
            insert.setString(8, e.agentRoles);
            insert.setString(9, e.patientSystem);
            insert.setString(10, e.patientValue);
            insert.setString(11, e.entities);
            insert.setString(12, e.detail);
            insert.setString(13, e.previousHash);
            insert.setString(14, e.hash);
            insert.setString(15, e.scheme);
            insert.executeUpdate();
        }
    }

    /** Rewrites an entry's chain fields and detail in place. */
    static void rewrite(Connection c, AuditEntry e) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "update audit_entry set detail = ?, previous_hash = ?, hash = ?, scheme = ? where sequence = ?")) {
            update.setString(1, e.detail);
            update.setString(2, e.previousHash);
            update.setString(3, e.hash);
            update.setString(4, e.scheme);
            update.setLong(5, e.sequence);
            update.executeUpdate();
        }
    }

    static void setHead(Connection c, long sequence, String hash) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("update audit_head set sequence = ?, hash = ? where id = 1")) {
            update.setLong(1, sequence);
            update.setString(2, hash);
            update.executeUpdate();
        }
    }

    static void execute(Connection c, String sql, long... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setLong(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }
}
