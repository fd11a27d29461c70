package org.photobridge.gateway.persistence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * The rules of several Consents in one query, as {@link #ofConsentDetached(String)} gives each
     * Consent's: by Consent id, in order; a Consent without rules has no entry.
     */
    public Map<String, List<ConsentProvisionRow>> ofConsentsDetached(Collection<String> consentIds) {
        if (consentIds.isEmpty()) {
            return Map.of();
        }
        List<ConsentProvisionRow> rows = list("key.consentId in ?1 order by key.consentId, key.position",
                consentIds);
        Map<String, List<ConsentProvisionRow>> byConsent = new HashMap<>();
        for (ConsentProvisionRow row : rows) {
            getSession().detach(row);
            byConsent.computeIfAbsent(row.key.consentId(), id -> new ArrayList<>()).add(row);
        }
        return byConsent;
    }

    /** Removes every rule of a Consent, before its new version's rules are added. */
    public long deleteOf(String consentId) {
        return delete("key.consentId = ?1", consentId);
    }
}
