package org.photobridge.gateway.audit.atna;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.domain.BusinessIdentifier;

/**
 * The export's durable position in the audit trail (table audit_export_cursor, one row) and the
 * trail entries after it, read by their own query so the export does not depend on how the trail is
 * chained. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class ExportCursor {

    @Inject
    Session session;

    @Inject
    Clock clock;

    /**
     * Locks the cursor row for this transaction and returns the last exported sequence number, or
     * empty when another transaction (another gateway's exporter) holds it: that one exports now.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public OptionalLong lock() {
        List<?> rows = session.createNativeQuery(
                "select last_sequence from audit_export_cursor where id = 1 for update skip locked", Object.class)
                .getResultList();
        return rows.isEmpty() ? OptionalLong.empty() : OptionalLong.of(((Number) rows.get(0)).longValue());
    }

    /** The last exported sequence number, without locking. */
    @Transactional
    public long position() {
        return ((Number) session.createNativeQuery("select last_sequence from audit_export_cursor where id = 1",
                Object.class).getSingleResult()).longValue();
    }

    /** Up to {@code limit} entries after {@code sequence}, in order. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<TrailEntry> entriesAfter(long sequence, int limit) {
        List<Object[]> rows = session.createNativeQuery("select sequence, id, recorded, action, success, agent, "
                + "agent_name, agent_roles, patient_system, patient_value, entities, detail from audit_entry "
                + "where sequence > :after order by sequence", Object[].class)
                .addScalar("sequence", Long.class)
                .addScalar("id", String.class)
                .addScalar("recorded", Instant.class)
                .addScalar("action", String.class)
                .addScalar("success", Boolean.class)
                .addScalar("agent", String.class)
                .addScalar("agent_name", String.class)
                .addScalar("agent_roles", String.class)
                .addScalar("patient_system", String.class)
                .addScalar("patient_value", String.class)
                .addScalar("entities", String.class)
                .addScalar("detail", String.class)
                .setParameter("after", sequence)
                .setMaxResults(limit)
                .getResultList();
        return rows.stream().map(ExportCursor::entry).toList();
    }

    /** Moves the locked cursor to {@code sequence}; never backwards. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void advance(long sequence) {
        session.createNativeMutationQuery("update audit_export_cursor set last_sequence = :s, exported_at = :t "
                + "where id = 1 and last_sequence < :s")
                .setParameter("s", sequence)
                .setParameter("t", clock.instant())
                .executeUpdate();
    }

    private static TrailEntry entry(Object[] row) {
        String patientSystem = (String) row[8];
        String patientValue = (String) row[9];
        Optional<BusinessIdentifier> patient = patientSystem == null || patientValue == null ? Optional.empty()
                : Optional.of(new BusinessIdentifier(patientSystem, patientValue));
        return new TrailEntry((Long) row[0], (String) row[1], (Instant) row[2], (String) row[3], (Boolean) row[4],
                (String) row[5], (String) row[6], split((String) row[7], ","), patient,
                splitList((String) row[10]), (String) row[11]);
    }

    private static Set<String> split(String joined, String separator) {
        return joined == null || joined.isEmpty() ? Set.of()
                : Arrays.stream(joined.split(separator)).collect(Collectors.toUnmodifiableSet());
    }

    private static List<String> splitList(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(" "));
    }
}
