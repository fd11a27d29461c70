package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.photobridge.domain.BusinessIdentifier;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of patients' EHR references (table patient_link). Callers bring the transaction. */
@ApplicationScoped
public class PatientLinks implements PanacheRepositoryBase<PatientLink, PatientLink.Key> {

    /** The patient's remembered EHR reference (for example Patient/123). */
    public Optional<String> reference(BusinessIdentifier patient) {
        return findByIdOptional(key(patient)).map(link -> link.reference);
    }

    /** Remembers (or replaces) the patient's EHR reference, found at {@code at}. */
    public void remember(BusinessIdentifier patient, String reference, Instant at) {
        PatientLink link = findById(key(patient));
        boolean fresh = link == null;
        if (fresh) {
            link = new PatientLink();
            link.key = key(patient);
        }
        link.reference = reference;
        link.resolvedAt = at;
        if (fresh) {
            persist(link);
        }
    }

    private static PatientLink.Key key(BusinessIdentifier patient) {
        return new PatientLink.Key(patient.system(), patient.value());
    }
}
