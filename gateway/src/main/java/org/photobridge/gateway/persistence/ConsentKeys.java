package org.photobridge.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * The indexed search keys of each Consent's current version (table consent_key). Searches by key
 * are part of {@link Consents}' queries.
 */
@ApplicationScoped
public class ConsentKeys implements PanacheRepositoryBase<ConsentKeyRow, ConsentKeyRow.Key> {

    /** Indexes one key of a Consent's current version. */
    public void add(String consentId, String kind, String value) {
        persist(new ConsentKeyRow(consentId, kind, value));
    }

    /** Removes every key of a Consent, before its new version's keys are added. */
    public long deleteOf(String consentId) {
        return delete("key.consentId = ?1", consentId);
    }
}
