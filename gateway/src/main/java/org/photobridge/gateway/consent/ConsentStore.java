package org.photobridge.gateway.consent;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.fhir.consent.ConsentQuery;
import org.photobridge.fhir.consent.ConsentRepository;
import org.photobridge.fhir.consent.ConsentSearchKeys;
import org.photobridge.domain.ConsentTerms;

/**
 * Consents in the gateway's database: every version kept as FHIR JSON, the current version's search
 * keys and rules indexed. A write and its consequences (withdrawal effects, EHR publication, audit)
 * commit in one transaction.
 */
@ApplicationScoped
public class ConsentStore implements ConsentRepository {

    @Inject
    Session session;

    @Inject
    Clock clock;

    @Inject
    ConsentChanges changes;

    @Override
    @Transactional
    public StoredVersion create(ConsentTerms terms, ConsentSearchKeys keys, String json) {
        var row = new ConsentRow();
        row.id = UUID.randomUUID().toString();
        row.currentVersion = 1;
        apply(row, keys);
        session.persist(row);
        StoredVersion stored = writeVersion(row, keys, terms, json);
        changes.changed(Optional.empty(), withId(terms, row.id, 1), stored);
        return stored;
    }

    @Override
    @Transactional
    public StoredVersion update(String id, ConsentTerms terms, ConsentSearchKeys keys, String json) {
        ConsentRow row = session.find(ConsentRow.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (row == null) {
            throw new NoSuchElementException("no Consent " + id);
        }
        ConsentTerms before = termsOf(row);
        row.currentVersion++;
        apply(row, keys);
        session.createMutationQuery("delete from ConsentKeyRow where key.consentId = :id").setParameter("id", id)
                .executeUpdate();
        session.createMutationQuery("delete from ConsentProvisionRow where key.consentId = :id")
                .setParameter("id", id).executeUpdate();
        StoredVersion stored = writeVersion(row, keys, terms, json);
        changes.changed(Optional.of(before), withId(terms, id, row.currentVersion), stored);
        return stored;
    }

    private static ConsentTerms withId(ConsentTerms terms, String id, long version) {
        return new ConsentTerms(id, version, terms.status(), terms.patient(), terms.patientReference(),
                terms.dateTime(), terms.provisions(), terms.formSha256());
    }

    private void apply(ConsentRow row, ConsentSearchKeys keys) {
        row.status = keys.status();
        row.patientSystem = keys.patientIdentifier().system();
        row.patientValue = keys.patientIdentifier().value();
        row.patientReference = keys.patientReference().orElse(null);
        row.dateTime = keys.dateTime().orElse(null);
        row.lastUpdated = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private StoredVersion writeVersion(ConsentRow row, ConsentSearchKeys keys, ConsentTerms terms, String json) {
        var version = new ConsentVersionRow();
        version.key = new ConsentVersionRow.Key(row.id, row.currentVersion);
        version.lastUpdated = row.lastUpdated;
        version.json = json;
        session.persist(version);
        keys.purposes().forEach(p -> session.persist(new ConsentKeyRow(row.id, "purpose", p)));
        keys.data().forEach(d -> session.persist(new ConsentKeyRow(row.id, "data", d)));
        keys.identifiers().forEach(i -> session.persist(new ConsentKeyRow(row.id, "identifier", i.token())));
        keys.categories().forEach(c -> session.persist(new ConsentKeyRow(row.id, "category", c)));
        int position = 0;
        for (ConsentTerms.Provision provision : terms.provisions()) {
            var rule = new ConsentProvisionRow();
            rule.key = new ConsentProvisionRow.Key(row.id, position++);
            rule.permit = provision.permit();
            rule.scopes = provision.scopes().stream().map(Enum::name).collect(Collectors.joining(","));
            rule.periodStart = provision.start().orElse(null);
            rule.periodEnd = provision.end().orElse(null);
            rule.data = String.join(" ", provision.data());
            rule.description = provision.description().orElse(null);
            session.persist(rule);
        }
        session.flush();
        return new StoredVersion(row.id, row.currentVersion, row.lastUpdated, json);
    }

    /** The enforced terms of a Consent's current version, rebuilt from its indexed rules. */
    ConsentTerms termsOf(ConsentRow row) {
        List<ConsentProvisionRow> rows = session.createSelectionQuery(
                "from ConsentProvisionRow where key.consentId = :id order by key.position", ConsentProvisionRow.class)
                .setParameter("id", row.id).getResultList();
        // Detached, so an update can replace the rules with new rows of the same keys.
        rows.forEach(session::detach);
        List<ConsentTerms.Provision> provisions = rows.stream().map(ConsentStore::provision).toList();
        return new ConsentTerms(row.id, row.currentVersion, row.status,
                new BusinessIdentifier(row.patientSystem, row.patientValue), Optional.ofNullable(row.patientReference),
                Optional.ofNullable(row.dateTime), provisions, Optional.empty());
    }

    private static ConsentTerms.Provision provision(ConsentProvisionRow row) {
        List<org.photobridge.domain.ConsentScope> scopes = row.scopes.isEmpty() ? List.of()
                : java.util.Arrays.stream(row.scopes.split(",")).map(org.photobridge.domain.ConsentScope::valueOf)
                        .toList();
        List<String> data = row.data.isEmpty() ? List.of() : List.of(row.data.split(" "));
        return new ConsentTerms.Provision(row.permit, scopes, Optional.ofNullable(row.periodStart),
                Optional.ofNullable(row.periodEnd), data, Optional.ofNullable(row.description));
    }

    /** Current terms of every Consent of a patient. */
    @Transactional
    public List<ConsentTerms> termsOfPatient(BusinessIdentifier patient) {
        return session.createSelectionQuery(
                "from ConsentRow where patientSystem = :s and patientValue = :v", ConsentRow.class)
                .setParameter("s", patient.system()).setParameter("v", patient.value()).getResultList().stream()
                .map(this::termsOf).toList();
    }

    @Override
    @Transactional
    public Optional<StoredVersion> read(String id) {
        ConsentRow row = session.find(ConsentRow.class, id);
        return row == null ? Optional.empty() : read(id, row.currentVersion);
    }

    @Override
    @Transactional
    public Optional<StoredVersion> read(String id, long version) {
        ConsentVersionRow row = session.find(ConsentVersionRow.class, new ConsentVersionRow.Key(id, version));
        return Optional.ofNullable(row).map(ConsentStore::stored);
    }

    @Override
    @Transactional
    public List<StoredVersion> history(String id) {
        return session.createSelectionQuery(
                "from ConsentVersionRow where key.consentId = :id order by key.version desc", ConsentVersionRow.class)
                .setParameter("id", id).getResultList().stream().map(ConsentStore::stored).toList();
    }

    @Override
    @Transactional
    public Page<StoredVersion> historyAll(Optional<Instant> since, int offset, int count) {
        String filter = since.isPresent() ? " where lastUpdated >= :since" : "";
        var select = session.createSelectionQuery("from ConsentVersionRow" + filter
                + " order by lastUpdated desc, key.version desc", ConsentVersionRow.class);
        var total = session.createSelectionQuery("select count(*) from ConsentVersionRow" + filter, Long.class);
        since.ifPresent(s -> {
            select.setParameter("since", s);
            total.setParameter("since", s);
        });
        List<ConsentVersionRow> rows = count <= 0 ? List.of()
                : select.setFirstResult(offset).setMaxResults(count).getResultList();
        return new Page<>(rows.stream().map(ConsentStore::stored).toList(), total.getSingleResult());
    }

    @Override
    @Transactional
    public Page<StoredVersion> search(ConsentQuery query, int offset, int count) {
        var where = new ArrayList<String>();
        query.patientReference().ifPresent(r -> where.add("c.patientReference = :pr"));
        query.patientIdentifier().ifPresent(p -> where.add("c.patientSystem = :ps and c.patientValue = :pv"));
        if (!query.statuses().isEmpty()) {
            where.add("c.status in :statuses");
        }
        var purposeClauses = new ArrayList<String>();
        int i = 0;
        for (String purpose : query.purposes()) {
            purposeClauses.add("k.key.value " + (purpose.contains("|") && !purpose.startsWith("|") ? "= " : "like ")
                    + ":purpose" + i++);
        }
        if (!purposeClauses.isEmpty()) {
            where.add("exists (select 1 from ConsentKeyRow k where k.key.consentId = c.id and k.key.kind = 'purpose' "
                    + "and (" + String.join(" or ", purposeClauses) + "))");
        }
        var categoryClauses = new ArrayList<String>();
        int ci = 0;
        for (String category : query.categories()) {
            categoryClauses.add("g.key.value " + (exactToken(category) ? "= " : "like ") + ":category" + ci++);
        }
        if (!categoryClauses.isEmpty()) {
            where.add("exists (select 1 from ConsentKeyRow g where g.key.consentId = c.id and g.key.kind = 'category' "
                    + "and (" + String.join(" or ", categoryClauses) + "))");
        }
        query.date().from().ifPresent(f -> where.add("c.dateTime >= :dateFrom"));
        query.date().to().ifPresent(t -> where.add("c.dateTime <= :dateTo"));
        query.data().ifPresent(d -> where.add("exists (select 1 from ConsentKeyRow d where d.key.consentId = c.id "
                + "and d.key.kind = 'data' and d.key.value = :data)"));
        query.lastUpdated().from().ifPresent(f -> where.add("c.lastUpdated >= :luFrom"));
        query.lastUpdated().to().ifPresent(t -> where.add("c.lastUpdated <= :luTo"));
        String filter = where.isEmpty() ? "" : " where " + String.join(" and ", where);
        var select = session.createSelectionQuery("select c from ConsentRow c" + filter
                + " order by c.lastUpdated desc, c.id", ConsentRow.class);
        var total = session.createSelectionQuery("select count(c) from ConsentRow c" + filter, Long.class);
        for (var q : List.of(select, total)) {
            query.patientReference().ifPresent(r -> q.setParameter("pr", r));
            query.patientIdentifier().ifPresent(p -> q.setParameter("ps", p.system()).setParameter("pv", p.value()));
            if (!query.statuses().isEmpty()) {
                q.setParameter("statuses", query.statuses());
            }
            int j = 0;
            for (String purpose : query.purposes()) {
                String value = purpose.contains("|") && !purpose.startsWith("|") ? purpose
                        : "%|" + (purpose.startsWith("|") ? purpose.substring(1) : purpose);
                q.setParameter("purpose" + j++, value);
            }
            int k = 0;
            for (String category : query.categories()) {
                q.setParameter("category" + k++, tokenPattern(category));
            }
            query.date().from().ifPresent(f -> q.setParameter("dateFrom", f));
            query.date().to().ifPresent(t -> q.setParameter("dateTo", t));
            query.data().ifPresent(d -> q.setParameter("data", d));
            query.lastUpdated().from().ifPresent(f -> q.setParameter("luFrom", f));
            query.lastUpdated().to().ifPresent(t -> q.setParameter("luTo", t));
        }
        List<ConsentRow> rows = count <= 0 ? List.of()
                : select.setFirstResult(offset).setMaxResults(count).getResultList();
        List<StoredVersion> items = rows.stream().map(row -> read(row.id, row.currentVersion).orElseThrow()).toList();
        return new Page<>(items, total.getSingleResult());
    }

    @Override
    @Transactional
    public Optional<StoredVersion> findByIdentifier(BusinessIdentifier identifier, BusinessIdentifier patient) {
        return session.createSelectionQuery("""
                select k.key.consentId from ConsentKeyRow k, ConsentRow c
                where k.key.kind = 'identifier' and k.key.value = :v and c.id = k.key.consentId
                and c.patientSystem = :ps and c.patientValue = :pv""", String.class)
                .setParameter("v", identifier.token()).setParameter("ps", patient.system())
                .setParameter("pv", patient.value()).setMaxResults(1).uniqueResultOptional()
                .flatMap(this::read);
    }

    /** "system|code" matches exactly; "code" and "|code" match the code in any system. */
    private static boolean exactToken(String token) {
        return token.contains("|") && !token.startsWith("|");
    }

    private static String tokenPattern(String token) {
        return exactToken(token) ? token : "%|" + (token.startsWith("|") ? token.substring(1) : token);
    }

    private static StoredVersion stored(ConsentVersionRow row) {
        return new StoredVersion(row.key.consentId(), row.key.version(), row.lastUpdated, row.json);
    }
}
