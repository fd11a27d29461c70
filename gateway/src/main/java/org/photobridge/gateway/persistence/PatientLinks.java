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

    /**
     * Remembers (or replaces) the patient's EHR reference, found at {@code at}. One upsert, so two
     * requests resolving the same patient at once both succeed instead of one hitting the primary key
     * (whose violation message would carry the patient's identifier).
     */
    public void remember(BusinessIdentifier patient, String reference, Instant at) {
        getEntityManager().createNativeQuery("""
                insert into patient_link (patient_system, patient_value, reference, resolved_at)
                values (?1, ?2, ?3, ?4)
                on conflict (patient_system, patient_value)
                do update set reference = excluded.reference, resolved_at = excluded.resolved_at""")
                .setParameter(1, patient.system()).setParameter(2, patient.value()).setParameter(3, reference)
                .setParameter(4, at).executeUpdate();
        PatientLink loaded = getEntityManager().find(PatientLink.class, key(patient));
        if (loaded != null) {
            getEntityManager().refresh(loaded); // a copy read earlier in this transaction is brought up to date
        }
    }

    private static PatientLink.Key key(BusinessIdentifier patient) {
        return new PatientLink.Key(patient.system(), patient.value());
    }
}
