package org.photobridge.gateway.consent;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.fhir.consent.ConsentQuery;
import org.photobridge.fhir.consent.ConsentRepository;
import org.photobridge.fhir.consent.ConsentSearchKeys;
import org.photobridge.gateway.persistence.ConsentKeys;
import org.photobridge.gateway.persistence.ConsentProvisionRow;
import org.photobridge.gateway.persistence.ConsentProvisions;
import org.photobridge.gateway.persistence.ConsentRow;
import org.photobridge.gateway.persistence.ConsentVersionRow;
import org.photobridge.gateway.persistence.ConsentVersions;
import org.photobridge.gateway.persistence.Consents;

/**
 * Consents in the gateway's database: every version kept as FHIR JSON, the current version's search
 * keys and rules indexed. A write and its consequences (withdrawal effects, EHR publication, audit)
 * commit in one transaction.
 */
@ApplicationScoped
public class ConsentStore implements ConsentRepository {

    @Inject
    Consents consents;

    @Inject
    ConsentVersions versions;

    @Inject
    ConsentKeys consentKeys;

    @Inject
    ConsentProvisions provisions;

    @Inject
    Clock clock;

    @Inject
    ConsentChanges changes;

    @Inject
    SignedForms forms;

    @Override
    @Transactional
    public StoredVersion create(ConsentTerms terms, ConsentSearchKeys keys, String json) {
        var row = new ConsentRow();
        row.id = UUID.randomUUID().toString();
        row.currentVersion = 1;
        apply(row, keys);
        consents.persist(row);
        StoredVersion stored = writeVersion(row, keys, terms, json);
        changes.changed(Optional.empty(), withId(terms, row.id, 1), stored);
        return stored;
    }

    @Override
    @Transactional
    public StoredVersion update(String id, ConsentTerms terms, ConsentSearchKeys keys, String json) {
        ConsentRow row = consents.locked(id).orElseThrow(() -> new NoSuchElementException("no Consent " + id));
        ConsentTerms before = termsOf(row);
        row.currentVersion++;
        apply(row, keys);
        consentKeys.deleteOf(id);
        provisions.deleteOf(id);
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
        forms.seal(version, json);
        versions.persist(version);
        keys.purposes().forEach(p -> consentKeys.add(row.id, "purpose", p));
        codes(keys.purposes()).forEach(code -> consentKeys.add(row.id, "purpose-code", code));
        keys.data().forEach(d -> consentKeys.add(row.id, "data", d));
        keys.identifiers().forEach(i -> consentKeys.add(row.id, "identifier", i.token()));
        keys.categories().forEach(c -> consentKeys.add(row.id, "category", c));
        codes(keys.categories()).forEach(code -> consentKeys.add(row.id, "category-code", code));
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
            provisions.persist(rule);
        }
        consents.flush();
        return new StoredVersion(row.id, row.currentVersion, row.lastUpdated, json);
    }

    /** The enforced terms of a Consent's current version, rebuilt from its indexed rules. */
    ConsentTerms termsOf(ConsentRow row) {
        // Detached, so an update can replace the rules with new rows of the same keys.
        return termsOf(row, provisions.ofConsentDetached(row.id));
    }

    private static ConsentTerms termsOf(ConsentRow row, List<ConsentProvisionRow> rows) {
        List<ConsentTerms.Provision> rules = rows.stream().map(ConsentStore::provision).toList();
        return new ConsentTerms(row.id, row.currentVersion, row.status,
                new BusinessIdentifier(row.patientSystem, row.patientValue), Optional.ofNullable(row.patientReference),
                Optional.ofNullable(row.dateTime), rules, Optional.empty());
    }

    private static ConsentTerms.Provision provision(ConsentProvisionRow row) {
        List<ConsentScope> scopes = row.scopes.isEmpty() ? List.of()
                : Arrays.stream(row.scopes.split(",")).map(ConsentScope::valueOf).toList();
        List<String> data = row.data.isEmpty() ? List.of() : List.of(row.data.split(" "));
        return new ConsentTerms.Provision(row.permit, scopes, Optional.ofNullable(row.periodStart),
                Optional.ofNullable(row.periodEnd), data, Optional.ofNullable(row.description));
    }

    /** Current terms of every Consent of a patient. */
    @Transactional
    public List<ConsentTerms> termsOfPatient(BusinessIdentifier patient) {
        // Two queries however many Consents the patient has: the Consents, then all their rules.
        List<ConsentRow> rows = consents.ofPatient(patient);
        var rules = provisions.ofConsentsDetached(rows.stream().map(row -> row.id).toList());
        return rows.stream().map(row -> termsOf(row, rules.getOrDefault(row.id, List.of()))).toList();
    }

    @Override
    @Transactional
    public Optional<StoredVersion> read(String id) {
        return versions.current(id).map(this::stored);
    }

    @Override
    @Transactional
    public Optional<StoredVersion> read(String id, long version) {
        return versions.version(id, version).map(this::stored);
    }

    @Override
    @Transactional
    public List<StoredVersion> history(String id) {
        return versions.history(id).stream().map(this::stored).toList();
    }

    @Override
    @Transactional
    public Page<StoredVersion> historyAll(Optional<Instant> since, int offset, int count) {
        List<StoredVersion> items = versions.historyAll(since, offset, count).stream().map(this::stored)
                .toList();
        return new Page<>(items, versions.countAll(since));
    }

    @Override
    @Transactional
    public Page<StoredVersion> search(ConsentQuery query, int offset, int count, boolean countAll) {
        var criteria = new Consents.Criteria(query.patientReference(), query.patientIdentifier(), query.statuses(),
                matches(query.purposes()), matches(query.categories()), query.date().from(), query.date().to(),
                query.data(), query.lastUpdated().from(), query.lastUpdated().to());
        if (countAll) {
            return new Page<>(stored(consents.currentVersions(criteria, offset, count)), consents.count(criteria));
        }
        // One row more than the page: whether another page follows, without counting every match.
        return Page.probed(stored(consents.currentVersions(criteria, offset, count + 1)), offset, count);
    }

    private List<StoredVersion> stored(List<Consents.CurrentVersion> page) {
        return page.stream().map(v -> new StoredVersion(v.id(), v.version(), v.lastUpdated(), v.json(),
                forms.of(v.id(), v.version(), v.sourceForm()))).toList();
    }

    @Override
    @Transactional
    public Optional<StoredVersion> findByIdentifier(BusinessIdentifier identifier, BusinessIdentifier patient) {
        return consents.idByIdentifier(identifier.token(), patient).flatMap(this::read);
    }

    /**
     * The codes of "system|code" keys without their systems, each once: a search by code alone finds
     * them through the key index (a LIKE '%|code' over every key could not use it).
     */
    private static Set<String> codes(Set<String> tokens) {
        return tokens.stream().map(token -> token.substring(token.indexOf('|') + 1))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** "system|code" matches exactly; "code" and "|code" match the code in any system. */
    private static List<Consents.KeyMatch> matches(Set<String> tokens) {
        return tokens.stream().map(token -> token.contains("|") && !token.startsWith("|")
                ? new Consents.KeyMatch(token, false)
                : new Consents.KeyMatch(token.startsWith("|") ? token.substring(1) : token, true))
                .toList();
    }

    /** The version as stored: a sealed form stays apart from the JSON, decrypted only if it is served. */
    private StoredVersion stored(ConsentVersionRow row) {
        return new StoredVersion(row.key.consentId(), row.key.version(), row.lastUpdated, row.json,
                forms.of(row.key.consentId(), row.key.version(), row.sourceForm));
    }
}
