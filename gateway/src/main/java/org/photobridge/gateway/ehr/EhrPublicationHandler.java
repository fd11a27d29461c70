package org.photobridge.gateway.ehr;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.jboss.logging.Logger;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.StoredBase64;
import org.photobridge.fhir.ehr.AmbiguousPatientException;
import org.photobridge.fhir.ehr.EhrClient;
import org.photobridge.fhir.ehr.EhrRejectedException;
import org.photobridge.fhir.ehr.EhrUnavailableException;
import org.photobridge.fhir.imaging.ImagingStudyMapper;
import org.photobridge.fhir.imaging.StudyView;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.outbox.WorkHandler;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.EncounterStudies;
import org.photobridge.gateway.tls.TlsFailure;

/**
 * Publishes the current state of a Consent or an ImagingStudy to the EHR's FHIR server as work of
 * the queue: a conditional update on its business identifier (so a retry never duplicates), linking
 * the patient by literal reference when the EHR knows them. The EHR being down only delays it.
 */
@ApplicationScoped
public class EhrPublicationHandler implements WorkHandler {
    private static final Logger LOG = Logger.getLogger(EhrPublicationHandler.class);
    /** Identifier system of the key under which every Consent is published to the EHR (value: our id). */
    public static final String CONSENT_IDENTIFIER_SYSTEM = "urn:photobridge:consent";

    @Inject
    EhrPatients patients;

    @Inject
    ConsentStore consents;

    @Inject
    EncounterStudies studies;

    private final ImagingStudyMapper mapper;
    private final String wadoRsBase;
    private final boolean clientCertificate;

    @Inject
    public EhrPublicationHandler(EhrConfig config) {
        this.clientCertificate = EhrPatients.clientCertificate(config);
        String wado = config.wadoRsUrl().toString();
        this.wadoRsBase = wado;
        this.mapper = new ImagingStudyMapper(wado);
    }

    /** The DICOMweb base URL that ImagingStudy endpoints point viewers at. */
    public String wadoRsBase() {
        return wadoRsBase;
    }

    @Override
    public WorkItem.Kind kind() {
        return WorkItem.Kind.EHR_PUBLICATION;
    }

    @Override
    public boolean enabled() {
        return patients.client().isPresent();
    }

    @Override
    public WorkOutcome attempt(WorkItem item) {
        Optional<EhrClient> client = patients.client();
        if (client.isEmpty()) {
            return new WorkOutcome.Failed("no EHR is configured (photobridge.ehr.url)");
        }
        try {
            switch (item.resourceType) {
                case WorkQueue.CONSENT -> publishConsent(client.get(), item.resourceId);
                case WorkQueue.IMAGING_STUDY -> publishStudy(client.get(), item.resourceId);
                default -> {
                    return new WorkOutcome.Failed("unknown resource type " + item.resourceType);
                }
            }
            return new WorkOutcome.Done("");
        } catch (EhrUnavailableException e) {
            // A TLS failure says what to fix (untrusted certificate, hostname, client certificate, protocol).
            return new WorkOutcome.Retry(e.getCause() == null ? e.getMessage()
                    : TlsFailure.reason(e.getCause(), clientCertificate).map(reason -> "EHR unreachable: " + reason
                            + "; retry later").orElse(e.getMessage()));
        } catch (EhrRejectedException e) {
            return new WorkOutcome.Failed(e.getMessage() + ": " + e.diagnostics());
        } catch (AmbiguousPatientException e) {
            return new WorkOutcome.Failed(e.getMessage());
        }
    }

    private void publishConsent(EhrClient client, String id) {
        var stored = consents.read(id).orElseThrow();
        var parser = FhirContexts.r4().newJsonParser();
        Consent consent = parser.parseResource(Consent.class, stored.json());
        // The EHR keeps the patient's chart: its copy carries the signed form (kept apart, encrypted, here).
        stored.form().ifPresent(form -> consent.getSourceAttachment().setDataElement(new StoredBase64(form.base64())));
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
