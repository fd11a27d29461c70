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

    private PanacheQuery<ConsentVersionRow> all(Optional<Instant> since) {
        return since.isPresent()
                ? find("lastUpdated >= ?1 order by lastUpdated desc, key.version desc", since.get())
                : find("order by lastUpdated desc, key.version desc");
    }
}
