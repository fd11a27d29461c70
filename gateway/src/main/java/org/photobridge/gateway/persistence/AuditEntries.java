package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.photobridge.domain.BusinessIdentifier;

import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Every query of the audit trail's entries (table audit_entry): appending, the reads the chain's
 * verification walks, searches, and the export's read. Entries are never updated or deleted here.
 * Callers bring the transaction; the order of writers is kept by the head's lock ({@link AuditHeads}).
 */
@ApplicationScoped
public class AuditEntries implements PanacheRepositoryBase<AuditEntry, Long> {

    /**
     * A search; every present criterion must hold.
     *
     * @param entity  one of the entry's entities, exactly
     * @param actions any of these action names (empty: any)
     */
    public record Criteria(Optional<BusinessIdentifier> patient, Optional<String> entity, Optional<String> agent,
            Optional<Instant> from, Optional<Instant> to, Set<String> actions) {
        public Criteria {
            actions = Set.copyOf(actions);
        }
    }

    public void append(AuditEntry entry) {
        persist(entry);
    }

    /** The entry with this id (not its sequence number). */
    public Optional<AuditEntry> byId(String id) {
        return find("id = ?1", id).singleResultOptional();
    }

    /** Entries that meet the criteria, newest first, {@code count} from {@code offset}. */
    public List<AuditEntry> search(Criteria criteria, int offset, int count) {
        return count <= 0 ? List.of() : query(criteria).range(offset, offset + count - 1).list();
    }

    /** How many entries meet the criteria. */
    public long count(Criteria criteria) {
        return query(criteria).count();
    }

    /** The chain code of the entry with this sequence number, if there is one. */
    public Optional<String> chainCodeAt(long sequence) {
        return findByIdOptional(sequence).map(entry -> entry.hash);
    }

    /** How many entries there are up to and including {@code sequence}. */
    public long countThrough(long sequence) {
        return count("sequence <= ?1", sequence);
    }

    /** Up to {@code max} entries after {@code after} and up to {@code through}, in order. */
    public List<AuditEntry> between(long after, long through, int max) {
        return find("sequence > ?1 and sequence <= ?2 order by sequence", after, through).page(0, max).list();
    }

    /** The lowest sequence number after {@code sequence}, if any entry is there. */
    public Optional<Long> firstSequenceAfter(long sequence) {
        return find("sequence > ?1 order by sequence", sequence).firstResultOptional().map(e -> e.sequence);
    }

    /** Up to {@code limit} entries after {@code sequence}, in order, without their chain columns. */
    public List<AuditTrailRow> trailAfter(long sequence, int limit) {
        return find("sequence > ?1 order by sequence", sequence).page(0, limit).project(AuditTrailRow.class).list();
    }

    private PanacheQuery<AuditEntry> query(Criteria criteria) {
        var where = new ArrayList<String>();
        Map<String, Object> parameters = new HashMap<>();
        criteria.patient().ifPresent(p -> {
            where.add("patientSystem = :ps and patientValue = :pv");
            parameters.put("ps", p.system());
            parameters.put("pv", p.value());
        });
        criteria.entity().ifPresent(e -> {
            // Entities are separated by single spaces: the entity alone, first, in the middle or last.
            // The value's own % and _ are escaped: they match themselves, not any text.
            where.add("(entities = :e or entities like :eFirst escape '!' or entities like :eMiddle escape '!'"
                    + " or entities like :eLast escape '!')");
            String literal = e.replace("!", "!!").replace("%", "!%").replace("_", "!_");
            parameters.put("e", e);
            parameters.put("eFirst", literal + " %");
            parameters.put("eMiddle", "% " + literal + " %");
            parameters.put("eLast", "% " + literal);
        });
        criteria.agent().ifPresent(a -> {
            where.add("agent = :agent");
            parameters.put("agent", a);
        });
        criteria.from().ifPresent(f -> {
            where.add("recorded >= :from");
            parameters.put("from", f);
        });
        criteria.to().ifPresent(t -> {
            where.add("recorded <= :to");
            parameters.put("to", t);
        });
        if (!criteria.actions().isEmpty()) {
            where.add("action in :actions");
            parameters.put("actions", criteria.actions());
        }
        String filter = where.isEmpty() ? "" : " where " + String.join(" and ", where);
        return find("from AuditEntry" + filter + " order by sequence desc", parameters);
    }
}
