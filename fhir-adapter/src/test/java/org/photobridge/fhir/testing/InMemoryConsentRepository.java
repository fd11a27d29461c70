package org.photobridge.fhir.testing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;

import org.photobridge.domain.BusinessIdentifier;
import org.hl7.fhir.r4.model.Consent;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.SignedForm;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.fhir.consent.ConsentQuery;
import org.photobridge.fhir.consent.ConsentRepository;
import org.photobridge.fhir.consent.ConsentSearchKeys;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.consent.PurposeToken;

/**
 * A {@link ConsentRepository} in memory, for tests only: versioned like the real one (nothing
 * overwritten), with every search semantic the port documents. Times are strictly increasing
 * milliseconds, so {@code _lastUpdated} searches are exact.
 */
public final class InMemoryConsentRepository implements ConsentRepository {

    /** One stored version with what was extracted from it. */
    public record Entry(StoredVersion version, ConsentTerms terms, ConsentSearchKeys keys) {
    }

    private final Map<String, List<Entry>> consents = new LinkedHashMap<>();
    private long nextId = 1;
    private Instant last = Instant.EPOCH;

    @Override
    public synchronized StoredVersion create(ConsentTerms terms, ConsentSearchKeys keys, String json) {
        String id = "c" + nextId++;
        var version = new StoredVersion(id, 1, tick(), json);
        var list = new ArrayList<Entry>();
        list.add(new Entry(version, withId(terms, id, 1), keys));
        consents.put(id, list);
        return version;
    }

    @Override
    public synchronized StoredVersion update(String id, ConsentTerms terms, ConsentSearchKeys keys, String json) {
        var list = consents.get(id);
        if (list == null) {
            throw new NoSuchElementException(id);
        }
        long v = list.get(list.size() - 1).version().version() + 1;
        var version = new StoredVersion(id, v, tick(), json);
        list.add(new Entry(version, withId(terms, id, v), keys));
        return version;
    }

    @Override
    public synchronized Optional<StoredVersion> read(String id) {
        return Optional.ofNullable(consents.get(id)).map(l -> l.get(l.size() - 1).version());
    }

    @Override
    public synchronized Optional<StoredVersion> read(String id, long version) {
        return Optional.ofNullable(consents.get(id)).flatMap(l -> l.stream()
                .map(Entry::version).filter(v -> v.version() == version).findFirst());
    }

    @Override
    public synchronized List<StoredVersion> history(String id) {
        var list = consents.getOrDefault(id, List.of());
        return list.stream().map(Entry::version).sorted(newestFirst()).toList();
    }

    @Override
    public synchronized Page<StoredVersion> historyAll(Optional<Instant> since, int offset, int count) {
        var all = consents.values().stream().flatMap(List::stream).map(Entry::version)
                .filter(v -> since.map(s -> !v.lastUpdated().isBefore(s)).orElse(true))
                .sorted(newestFirst()).toList();
        return page(all, offset, count);
    }

    @Override
    public synchronized Page<StoredVersion> search(ConsentQuery q, int offset, int count, boolean countAll) {
        var matching = current()
                .filter(e -> q.patientReference().map(r -> e.keys().patientReference().equals(Optional.of(r))).orElse(true))
                .filter(e -> q.patientIdentifier().map(i -> i.equals(e.keys().patientIdentifier())).orElse(true))
                .filter(e -> q.statuses().isEmpty() || q.statuses().contains(e.keys().status()))
                .filter(e -> q.purposes().isEmpty() || q.purposes().stream()
                        .anyMatch(t -> e.keys().purposes().stream().anyMatch(p -> PurposeToken.matches(t, p))))
                .filter(e -> q.date().equals(org.photobridge.fhir.DateRange.ANY)
                        || e.keys().dateTime().map(q.date()::contains).orElse(false))
                .filter(e -> q.data().map(d -> e.keys().data().contains(d)).orElse(true))
                .filter(e -> q.lastUpdated().contains(e.version().lastUpdated()))
                .filter(e -> q.categories().isEmpty() || q.categories().stream().anyMatch(c -> e.keys().categories()
                        .stream().anyMatch(k -> c.contains("|") && !c.startsWith("|") ? k.equals(c)
                                : k.endsWith("|" + (c.startsWith("|") ? c.substring(1) : c)))))
                .map(Entry::version)
                .sorted(newestFirst())
                .toList();
        if (countAll) {
            return page(matching, offset, count);
        }
        int from = Math.min(offset, matching.size());
        return Page.probed(List.copyOf(matching.subList(from, Math.min(matching.size(), from + count + 1))), offset,
                count);
    }

    @Override
    public synchronized Optional<StoredVersion> findByIdentifier(BusinessIdentifier identifier,
            BusinessIdentifier patient) {
        return current().filter(e -> e.keys().identifiers().contains(identifier)
                && e.keys().patientIdentifier().equals(patient)).map(Entry::version).findFirst();
    }

    /**
     * Keeps the signed form of a Consent's current version apart from its JSON, as the gateway does:
     * the JSON loses sourceAttachment.data and {@code form} answers for it.
     */
    public synchronized void keepFormApart(String id, SignedForm form) {
        var list = consents.get(id);
        var entry = list.get(list.size() - 1);
        var parser = FhirContexts.r4().newJsonParser();
        Consent consent = parser.parseResource(Consent.class, entry.version().json());
        consent.getSourceAttachment().setDataElement(null);
        var v = entry.version();
        list.set(list.size() - 1, new Entry(new StoredVersion(v.id(), v.version(), v.lastUpdated(),
                parser.encodeResourceToString(consent), Optional.of(form)), entry.terms(), entry.keys()));
    }

    /** Every stored version of every Consent (for assertions that nothing was stored). */
    public synchronized int versionCount() {
        return consents.values().stream().mapToInt(List::size).sum();
    }

    /** The latest entry of one Consent, with its terms and keys as the provider passed them. */
    public synchronized Optional<Entry> latest(String id) {
        return Optional.ofNullable(consents.get(id)).map(l -> l.get(l.size() - 1));
    }

    private Stream<Entry> current() {
        return consents.values().stream().map(l -> l.get(l.size() - 1));
    }

    private Instant tick() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        last = now.isAfter(last) ? now : last.plusMillis(1);
        return last;
    }

    private static Comparator<StoredVersion> newestFirst() {
        return Comparator.comparing(StoredVersion::lastUpdated).reversed();
    }

    private static Page<StoredVersion> page(List<StoredVersion> all, int offset, int count) {
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + count);
        return new Page<>(List.copyOf(all.subList(from, to)), all.size());
    }

    private static ConsentTerms withId(ConsentTerms t, String id, long version) {
        return new ConsentTerms(id, version, t.status(), t.patient(), t.patientReference(), t.dateTime(),
                t.provisions(), t.formSha256());
    }
}
