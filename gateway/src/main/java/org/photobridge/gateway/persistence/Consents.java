package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.hibernate.jpa.HibernateHints;
import org.photobridge.domain.BusinessIdentifier;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Every query of a Consent's identity and current search keys (table consent_resource). Versions,
 * indexed keys and rules have their own repositories: {@link ConsentVersions}, {@link ConsentKeys},
 * {@link ConsentProvisions}. Callers bring the transaction.
 */
@ApplicationScoped
public class Consents implements PanacheRepositoryBase<ConsentRow, String> {

    /**
     * A search over current versions; every present criterion must hold, values within one list are
     * alternatives. Empty sets and lists do not restrict.
     *
     * @param purposes   purpose keys, any of these
     * @param categories category keys, any of these
     * @param data       a data reference one of the rules names exactly
     */
    public record Criteria(Optional<String> patientReference, Optional<BusinessIdentifier> patient,
            Set<String> statuses, List<KeyMatch> purposes, List<KeyMatch> categories, Optional<Instant> dateFrom,
            Optional<Instant> dateTo, Optional<String> data, Optional<Instant> updatedFrom,
            Optional<Instant> updatedTo) {
        public Criteria {
            statuses = Set.copyOf(statuses);
            purposes = List.copyOf(purposes);
            categories = List.copyOf(categories);
        }
    }

    /**
     * An indexed key value: a whole "system|code" key, or (codeOnly) a code in any system, matched
     * against the code keys ("purpose-code", "category-code") kept beside the whole ones.
     */
    public record KeyMatch(String value, boolean codeOnly) {
    }

    /** The Consent, locked until the caller's transaction ends: its writers take turns. */
    public Optional<ConsentRow> locked(String id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** Every Consent of a patient. */
    public List<ConsentRow> ofPatient(BusinessIdentifier patient) {
        return list("patientSystem = ?1 and patientValue = ?2", patient.system(), patient.value());
    }

    /**
     * The current version of a Consent as a search page needs it (no entity: nothing managed, nothing
     * to dirty-check): its JSON and its sealed form, if any, apart.
     */
    public record CurrentVersion(String id, long version, Instant lastUpdated, String json, byte[] sourceForm) {
    }

    /**
     * The current versions of the Consents that meet the criteria, most recently updated first,
     * {@code count} from {@code offset}: one query for the page and its versions.
     */
    public List<CurrentVersion> currentVersions(Criteria criteria, int offset, int count) {
        if (count <= 0) {
            return List.of();
        }
        // The page of Consents is chosen in a subquery of its own and only its rows are joined to their
        // versions: PostgreSQL plans this statement afresh for every request (a plan for the values at
        // hand), and planning the versions' join inside the page's took 0.36 ms where this form takes
        // 0.17, for the same plan (docs/performance.md, issue 10, "the page chosen before its versions").
        // The page reads its rows in index order and stops after a few hundred at most; the gateway's
        // sessions run without parallel workers (application.properties).
        Map<String, Object> parameters = new HashMap<>();
        String filter = filter(criteria, parameters);
        var query = getEntityManager().createQuery("select p.consentId, v.key.version, v.lastUpdated, v.json,"
                + " v.sourceForm from (select c.id as consentId, c.currentVersion as currentVersion,"
                + " c.lastUpdated as updated from ConsentRow c" + filter + " order by c.lastUpdated desc, c.id"
                + " offset :pageOffset rows fetch first :pageCount rows only) p"
                + " join ConsentVersionRow v on v.key.consentId = p.consentId and v.key.version = p.currentVersion"
                + " order by p.updated desc, p.consentId", Object[].class);
        parameters.forEach(query::setParameter);
        return query.setParameter("pageOffset", offset).setParameter("pageCount", count)
                .setHint(HibernateHints.HINT_READ_ONLY, true)
                .getResultStream()
                .map(r -> new CurrentVersion((String) r[0], ((Number) r[1]).longValue(), (Instant) r[2],
                        (String) r[3], (byte[]) r[4]))
                .toList();
    }

    /** How many Consents meet the criteria. */
    public long count(Criteria criteria) {
        Map<String, Object> parameters = new HashMap<>();
        String filter = filter(criteria, parameters);
        return count("from ConsentRow c" + filter, parameters);
    }

    /** The Consent of the patient that carries this identifier (a conditional create's match). */
    public Optional<String> idByIdentifier(String identifierToken, BusinessIdentifier patient) {
        return find("""
                select k.key.consentId from ConsentKeyRow k, ConsentRow c
                where k.key.kind = 'identifier' and k.key.value = ?1 and c.id = k.key.consentId
                and c.patientSystem = ?2 and c.patientValue = ?3""", identifierToken, patient.system(),
                patient.value()).project(String.class).firstResultOptional();
    }

    /** The where clause (with a leading space, or empty) of the criteria over ConsentRow c; fills {@code parameters}. */
    private static String filter(Criteria criteria, Map<String, Object> parameters) {
        var where = new ArrayList<String>();
        criteria.patientReference().ifPresent(r -> {
            where.add("c.patientReference = :pr");
            parameters.put("pr", r);
        });
        criteria.patient().ifPresent(p -> {
            where.add("c.patientSystem = :ps and c.patientValue = :pv");
            parameters.put("ps", p.system());
            parameters.put("pv", p.value());
        });
        if (criteria.statuses().size() == 1) {
            // One status (the EHR's "status=active") bound as a value: a list parameter makes Hibernate
            // translate the query to SQL again on every request (docs/performance.md, issue 10).
            where.add("c.status = :status");
            parameters.put("status", criteria.statuses().iterator().next());
        } else if (!criteria.statuses().isEmpty()) {
            where.add("c.status in :statuses");
            parameters.put("statuses", criteria.statuses());
        }
        keyClause("purpose", criteria.purposes(), where, parameters);
        keyClause("category", criteria.categories(), where, parameters);
        criteria.dateFrom().ifPresent(f -> {
            where.add("c.dateTime >= :dateFrom");
            parameters.put("dateFrom", f);
        });
        criteria.dateTo().ifPresent(t -> {
            where.add("c.dateTime <= :dateTo");
            parameters.put("dateTo", t);
        });
        criteria.data().ifPresent(d -> {
            where.add("exists (select 1 from ConsentKeyRow d where d.key.consentId = c.id "
                    + "and d.key.kind = 'data' and d.key.value = :data)");
            parameters.put("data", d);
        });
        criteria.updatedFrom().ifPresent(f -> {
            where.add("c.lastUpdated >= :luFrom");
            parameters.put("luFrom", f);
        });
        criteria.updatedTo().ifPresent(t -> {
            where.add("c.lastUpdated <= :luTo");
            parameters.put("luTo", t);
        });
        return where.isEmpty() ? "" : " where " + String.join(" and ", where);
    }

    /** Any of {@code matches} among the Consent's keys of {@code kind}. */
    private static void keyClause(String kind, List<KeyMatch> matches, List<String> where,
            Map<String, Object> parameters) {
        if (matches.isEmpty()) {
            return;
        }
        var alternatives = new ArrayList<String>();
        int i = 0;
        for (KeyMatch match : matches) {
            String name = kind + i++;
            alternatives.add("(k.key.kind = '" + kind + (match.codeOnly() ? "-code" : "") + "' and k.key.value = :"
                    + name + ")");
            parameters.put(name, match.value());
        }
        where.add("exists (select 1 from ConsentKeyRow k where k.key.consentId = c.id and ("
                + String.join(" or ", alternatives) + "))");
    }
}
