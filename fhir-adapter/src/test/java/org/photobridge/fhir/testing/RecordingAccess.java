package org.photobridge.fhir.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.access.FhirAccess;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.imaging.StudyView;

/**
 * A stand-in for the gateway's access policy in the adapter's own tests, which test FHIR mechanics:
 * it permits what it is told to (everything by default) and records what the providers audit. The
 * real policy is tested in the gateway with real tokens (AccessMatrixTest).
 */
public final class RecordingAccess implements FhirAccess {

    /** One audit call as the provider made it. */
    public record Audited(AuditAction action, Optional<BusinessIdentifier> patient, List<String> entities,
            String detail) {
    }

    private final List<Audited> audited = new ArrayList<>();
    private volatile boolean patientRecords = true;
    private volatile boolean acrossPatients = true;
    private volatile boolean signedForms = true;
    private volatile boolean consentChanges = true;
    private volatile boolean auditTrail = true;
    private volatile Predicate<StudyView.InstanceView> instances;

    public static RecordingAccess permitAll() {
        return new RecordingAccess();
    }

    public RecordingAccess denyAcrossPatients() {
        acrossPatients = false;
        return this;
    }

    public RecordingAccess denyPatientRecords() {
        patientRecords = false;
        return this;
    }

    public RecordingAccess withholdSignedForms() {
        signedForms = false;
        return this;
    }

    public RecordingAccess denyConsentChanges() {
        consentChanges = false;
        return this;
    }

    public RecordingAccess denyAuditTrail() {
        auditTrail = false;
        return this;
    }

    public RecordingAccess showInstancesTagged(String department) {
        instances = i -> i.accessTags().contains(department);
        return this;
    }

    public synchronized List<Audited> audited() {
        return List.copyOf(audited);
    }

    @Override
    public Answer patientRecords() {
        return patientRecords ? Answer.permit() : Answer.deny("test: patient records denied");
    }

    @Override
    public Answer acrossPatients() {
        return acrossPatients ? Answer.permit() : Answer.deny("test: name the patient");
    }

    @Override
    public boolean seesSignedForms() {
        return signedForms;
    }

    @Override
    public Answer recordConsent(ConsentTerms consent) {
        // The stand-in's notion of a change: a consent that permits nothing.
        boolean change = consent.provisions().stream().noneMatch(ConsentTerms.Provision::permit);
        return consentChanges || !change ? Answer.permit() : Answer.deny("test: consent changes denied");
    }

    @Override
    public Answer changeConsent(ConsentTerms before, ConsentTerms after) {
        return consentChanges ? Answer.permit() : Answer.deny("test: consent changes denied");
    }

    @Override
    public Optional<StudyView> visible(StudyView study) {
        if (instances == null) {
            return Optional.of(study);
        }
        var series = study.series().stream()
                .map(s -> new StudyView.SeriesView(s.seriesInstanceUid(), s.number(), s.department(), s.bodySiteCode(),
                        s.bodySiteDisplay(), s.laterality(), s.instances().stream().filter(instances).toList()))
                .filter(s -> !s.instances().isEmpty()).toList();
        return series.isEmpty() ? Optional.empty()
                : Optional.of(new StudyView(study.id(), study.studyInstanceUid(), study.patient(),
                        study.patientReference(), study.encounter(), study.started(), series));
    }

    @Override
    public Answer auditTrail() {
        return auditTrail ? Answer.permit() : Answer.deny("test: audit trail denied");
    }

    @Override
    public synchronized void audit(AuditAction action, boolean success, Optional<BusinessIdentifier> patient,
            List<String> entities, String detail) {
        audited.add(new Audited(action, patient, entities, detail));
    }
}
