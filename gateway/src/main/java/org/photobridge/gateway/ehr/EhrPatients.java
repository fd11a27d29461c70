package org.photobridge.gateway.ehr;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.ehr.EhrClient;
import org.photobridge.fhir.ehr.EhrException;
import org.photobridge.fhir.ehr.EhrSettings;
import org.photobridge.gateway.persistence.PatientLinks;

/**
 * Finds a patient's literal reference in the EHR by identifier and remembers it. When no EHR is
 * configured, or it cannot be reached, the patient stays linked by identifier only; the EHR
 * publisher tries again later.
 */
@ApplicationScoped
public class EhrPatients {
    private static final Logger LOG = Logger.getLogger(EhrPatients.class);

    @Inject
    PatientLinks links;

    @Inject
    Clock clock;

    private final Optional<EhrClient> client;

    @Inject
    public EhrPatients(EhrConfig config) {
        this.client = config.url().map(url -> new EhrClient(clientSettings(config)));
    }

    static EhrSettings clientSettings(EhrConfig config) {
        var settings = EhrSettings.of(config.url().orElseThrow().toString())
                .withTimeouts(config.timeout(), config.timeout())
                .withMaxResponseBytes(config.maxResponseBytes());
        return config.bearerToken().map(settings::withBearerToken).orElse(settings);
    }

    public Optional<EhrClient> client() {
        return client;
    }

    @Transactional
    public Optional<String> known(BusinessIdentifier patient) {
        return links.reference(patient);
    }

    /** The patient's EHR reference: remembered, or asked of the EHR now (empty when unknown or unreachable). */
    public Optional<String> resolve(BusinessIdentifier patient) {
        Optional<String> known = known(patient);
        if (known.isPresent() || client.isEmpty()) {
            return known;
        }
        try {
            Optional<String> found = client.get().resolvePatient(patient);
            found.ifPresent(reference -> remember(patient, reference));
            return found;
        } catch (EhrException e) {
            LOG.warnf("could not resolve a patient in the EHR now: %s", e.getMessage());
            return Optional.empty();
        }
    }

    @Transactional
    void remember(BusinessIdentifier patient, String reference) {
        links.remember(patient, reference, clock.instant());
    }
}
