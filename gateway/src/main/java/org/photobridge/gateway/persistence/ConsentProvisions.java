package org.photobridge.gateway.persistence;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** The indexed permit and deny rules of each Consent's current version (table consent_provision). */
@ApplicationScoped
public class ConsentProvisions implements PanacheRepositoryBase<ConsentProvisionRow, ConsentProvisionRow.Key> {

    /**
     * A Consent's rules in order, detached from the session: an update deletes them and adds the new
     * version's rules under the same keys in the same transaction.
     */
    public List<ConsentProvisionRow> ofConsentDetached(String consentId) {
        List<ConsentProvisionRow> rows = list("key.consentId = ?1 order by key.position", consentId);
        rows.forEach(getSession()::detach);
        return rows;
    }

    /** Removes every rule of a Consent, before its new version's rules are added. */
    public long deleteOf(String consentId) {
        return delete("key.consentId = ?1", consentId);
    }
}
