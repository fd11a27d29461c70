package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentTerms;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.StoredVersion;

/**
 * The port through which the FHIR Consent provider stores consents: implemented by the gateway on
 * its database, versioned (every update is a new version; none is ever overwritten). Each write
 * receives the parsed {@link ConsentTerms} and search keys alongside the JSON, so the gateway can
 * index, enforce and react (withdrawal effects) in the same transaction.
 */
public interface ConsentRepository {

    /** Stores version 1 of a new Consent; {@code terms.id()} is ignored and a new id assigned. */
    StoredVersion create(ConsentTerms terms, ConsentSearchKeys keys, String json);

    /**
     * Stores the next version of an existing Consent.
     *
     * @throws java.util.NoSuchElementException when no Consent has this id
     */
    StoredVersion update(String id, ConsentTerms terms, ConsentSearchKeys keys, String json);

    Optional<StoredVersion> read(String id);

    Optional<StoredVersion> read(String id, long version);

    /** Every version of one Consent, newest first. */
    List<StoredVersion> history(String id);

    /** Every version of every Consent, newest first, optionally since an instant. */
    Page<StoredVersion> historyAll(Optional<Instant> since, int offset, int count);

    /**
     * The current versions matching a query, newest first, {@code count} from {@code offset}. With
     * {@code countAll} the page carries the number of matches; without, only when the page reached the
     * end ({@link Page#probed}), so the page costs no count of every match.
     */
    Page<StoredVersion> search(ConsentQuery query, int offset, int count, boolean countAll);

    /**
     * The Consent (current version) of this patient carrying this business identifier, for
     * conditional create. Matching the patient too keeps conditional create from revealing other
     * patients' consent identifiers.
     */
    Optional<StoredVersion> findByIdentifier(BusinessIdentifier identifier, BusinessIdentifier patient);
}
