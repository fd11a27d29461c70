package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of stored Consent versions (table consent_version); versions are only ever added. */
@ApplicationScoped
public class ConsentVersions implements PanacheRepositoryBase<ConsentVersionRow, ConsentVersionRow.Key> {

    public Optional<ConsentVersionRow> version(String consentId, long version) {
        return findByIdOptional(new ConsentVersionRow.Key(consentId, version));
    }

    /** The current version of a Consent, in one query (its ConsentRow is not loaded for its version number). */
    public Optional<ConsentVersionRow> current(String consentId) {
        return find("key.consentId = ?1 and key.version = (select c.currentVersion from ConsentRow c where c.id = ?1)",
                consentId).firstResultOptional();
    }

    /** Every version of one Consent, newest first. */
    public List<ConsentVersionRow> history(String consentId) {
        return list("key.consentId = ?1 order by key.version desc", consentId);
    }

    /** Versions of every Consent (since an instant, if given), newest first, {@code count} from {@code offset}. */
    public List<ConsentVersionRow> historyAll(Optional<Instant> since, int offset, int count) {
        return count <= 0 ? List.of() : all(since).range(offset, offset + count - 1).list();
    }

    /** How many versions {@link #historyAll} pages through. */
    public long countAll(Optional<Instant> since) {
        return all(since).count();
    }

    /** Versions whose JSON still holds the signed form in plaintext (written before V10), locked. */
    public List<ConsentVersionRow> withPlaintextForms(int limit) {
        return find("formPending = true order by key.consentId, key.version")
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).page(0, limit).list();
    }

    /** Versions whose sealed form is under another key than {@code activeKeyId}, locked. */
    public List<ConsentVersionRow> formsNotUnder(String activeKeyId, int limit) {
        return find("sourceForm is not null and (formKeyId is null or formKeyId <> ?1) "
                + "order by key.consentId, key.version", activeKeyId)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).page(0, limit).list();
    }

    /** How many sealed forms are under another key than {@code activeKeyId}. */
    public long countFormsNotUnder(String activeKeyId) {
        return count("sourceForm is not null and (formKeyId is null or formKeyId <> ?1)", activeKeyId);
    }

    private PanacheQuery<ConsentVersionRow> all(Optional<Instant> since) {
        return since.isPresent()
                ? find("lastUpdated >= ?1 order by lastUpdated desc, key.version desc", since.get())
                : find("order by lastUpdated desc, key.version desc");
    }
}
