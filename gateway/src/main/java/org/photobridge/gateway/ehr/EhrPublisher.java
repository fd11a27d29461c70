package org.photobridge.gateway.ehr;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.jboss.logging.Logger;
import org.photobridge.fhir.BusinessIdentifier;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.ehr.AmbiguousPatientException;
import org.photobridge.fhir.ehr.EhrClient;
import org.photobridge.fhir.ehr.EhrRejectedException;
import org.photobridge.fhir.ehr.EhrUnavailableException;
import org.photobridge.fhir.imaging.ImagingStudyMapper;
import org.photobridge.fhir.imaging.StudyView;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.persistence.EhrPublicationRecord;
import org.photobridge.gateway.routing.Outbox;
import org.photobridge.gateway.viewer.EncounterStudies;

import io.quarkus.scheduler.Scheduled;

/**
 * Publishes queued Consents and ImagingStudies to the EHR's FHIR server as conditional updates on
 * their business identifiers (so a retry never duplicates), linking the patient by literal
 * reference when the EHR knows them. The EHR being down only delays publication.
 */
@ApplicationScoped
public class EhrPublisher {
    private static final Logger LOG = Logger.getLogger(EhrPublisher.class);
    /** Identifier system of the key under which every Consent is published to the EHR (value: our id). */
    public static final String CONSENT_IDENTIFIER_SYSTEM = "urn:photobridge:consent";

    @Inject
    EhrOutbox outbox;

    @Inject
    EhrPatients patients;

    @Inject
    ConsentStore consents;

    @Inject
    EncounterStudies studies;

    @Inject
    Outbox deliveries;

    @Inject
    Clock clock;

    private final ImagingStudyMapper mapper;
    private final String wadoRsBase;
    private final AtomicBoolean running = new AtomicBoolean();

    @Inject
    public EhrPublisher(EhrConfig config) {
        String wado = config.wadoRsUrl().toString();
        this.wadoRsBase = wado;
        this.mapper = new ImagingStudyMapper(wado);
    }

    /** The DICOMweb base URL that ImagingStudy endpoints point viewers at. */
    public String wadoRsBase() {
        return wadoRsBase;
    }

    @Scheduled(every = "${photobridge.routing.poll-interval:5s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        publishDue();
    }

    /** Publishes everything due now; returns how many were published. */
    public int publishDue() {
        Optional<EhrClient> client = patients.client();
        if (client.isEmpty() || !running.compareAndSet(false, true)) {
            return 0;
        }
        int published = 0;
        try {
            for (EhrPublicationRecord row : outbox.due(50)) {
                Instant started = clock.instant();
                try {
                    publish(client.get(), row);
                    outbox.record(row.id, started, true, false, null, null);
                    published++;
                } catch (EhrUnavailableException e) {
                    outbox.record(row.id, started, false, true, e.getMessage(),
                            clock.instant().plus(deliveries.backoff(row.attempts + 1)));
                } catch (EhrRejectedException e) {
                    outbox.record(row.id, started, false, false, e.getMessage() + ": " + e.diagnostics(), null);
                } catch (AmbiguousPatientException e) {
                    outbox.record(row.id, started, false, false, e.getMessage(), null);
                }
            }
        } finally {
            running.set(false);
        }
        return published;
    }

    private void publish(EhrClient client, EhrPublicationRecord row) {
        switch (row.resourceType) {
            case EhrOutbox.CONSENT -> publishConsent(client, row.resourceId);
            case EhrOutbox.IMAGING_STUDY -> publishStudy(client, row.resourceId);
            default -> throw new IllegalStateException("unknown resource type " + row.resourceType);
        }
    }

    private void publishConsent(EhrClient client, String id) {
        var stored = consents.read(id).orElseThrow();
        var parser = FhirContexts.r4().newJsonParser();
        Consent consent = parser.parseResource(Consent.class, stored.json());
        // The EHR copy is keyed by an identifier PhotoBridge owns: a client-chosen identifier could
        // name another patient's consent in the EHR, and a conditional update would overwrite it.
        var key = new BusinessIdentifier(CONSENT_IDENTIFIER_SYSTEM, id);
        // Only a reference the EHR itself resolved is forwarded.
        consent.getPatient().setReference(null);
        Identifier patient = consent.getPatient().getIdentifier();
        patients.resolve(new BusinessIdentifier(patient.getSystem(), patient.getValue()))
                .ifPresent(reference -> consent.getPatient().setReference(reference));
        client.publishConsent(parser.encodeResourceToString(consent), key);
    }

    private void publishStudy(EhrClient client, String id) {
        StudyView view = studies.read(id).orElseThrow();
        Optional<String> reference = patients.resolve(view.patient());
        StudyView linked = new StudyView(view.id(), view.studyInstanceUid(), view.patient(),
                reference.or(view::patientReference), view.encounter(), view.started(), view.series());
        client.publishImagingStudy(mapper.toFhir(linked), view.studyInstanceUid());
        LOG.debugf("ImagingStudy %s published to the EHR", id);
    }
}
