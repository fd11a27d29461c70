package org.photobridge.gateway.fhir;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.access.FhirAccess;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.imaging.StudyView;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.ConsentPolicy;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.persistence.Photos;

/**
 * The FHIR door's questions answered by the gateway's one {@link AccessPolicy}, for the caller of
 * the current request; every refusal is audited as an access denial.
 */
@ApplicationScoped
public class FhirAccessPolicy implements FhirAccess {

    @Inject
    CallerResolver callers;

    @Inject
    AuditLog audit;

    @Inject
    Photos photos;

    @Inject
    ConsentStore consents;

    @Inject
    Clock clock;

    @Override
    public Answer patientRecords() {
        return answer(AccessPolicy.patientRecords(caller()), Optional.empty(), "FHIR read");
    }

    @Override
    public Answer acrossPatients() {
        return answer(AccessPolicy.acrossPatients(caller()), Optional.empty(), "FHIR search without a patient");
    }

    @Override
    public boolean seesSignedForms() {
        return AccessPolicy.seesSignedForms(caller());
    }

    @Override
    public Answer recordConsent(ConsentTerms consent) {
        Caller caller = caller();
        var decision = withdrawsAnything(consent)
                ? AccessPolicy.changeConsent(caller, departmentsOf(consent.patient()))
                : AccessPolicy.recordConsent(caller);
        return answer(decision, Optional.of(consent.patient()), "Consent create");
    }

    @Override
    public Answer changeConsent(ConsentTerms before, ConsentTerms after) {
        return answer(AccessPolicy.changeConsent(caller(), departmentsOf(before.patient())),
                Optional.of(before.patient()), "Consent/" + before.id() + " update");
    }

    @Override
    public Optional<StudyView> visible(StudyView study) {
        Caller caller = caller();
        if (AccessPolicy.seesEveryDepartment(caller)) {
            return Optional.of(study);
        }
        var series = new ArrayList<StudyView.SeriesView>();
        for (var s : study.series()) {
            var instances = s.instances().stream()
                    .filter(i -> AccessPolicy.photo(caller, i.accessTags(), AccessPolicy.PhotoUse.STATUS).permitted())
                    .toList();
            if (!instances.isEmpty()) {
                series.add(new StudyView.SeriesView(s.seriesInstanceUid(), s.number(), s.department(),
                        s.bodySiteCode(), s.bodySiteDisplay(), s.laterality(), instances));
            }
        }
        if (series.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new StudyView(study.id(), study.studyInstanceUid(), study.patient(),
                study.patientReference(), study.encounter(), study.started(), List.copyOf(series)));
    }

    @Override
    public Answer auditTrail() {
        return answer(AccessPolicy.auditTrail(caller()), Optional.empty(), "audit trail");
    }

    @Override
    public void audit(AuditAction action, boolean success, Optional<BusinessIdentifier> patient, List<String> entities,
            String detail) {
        audit.record(action, success, AuditLog.Agent.of(caller()), patient, entities, detail);
    }

    private Answer answer(AccessPolicy.Decision decision, Optional<BusinessIdentifier> patient, String what) {
        if (decision.permitted()) {
            return Answer.permit();
        }
        audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller()), patient, List.of(),
                what + " refused: " + decision.reason());
        return Answer.deny(decision.reason());
    }

    /**
     * Whether storing this new Consent would take away anything the patient's consents permit now:
     * a purpose, or one photo's use for a purpose. Such a Consent is a (partial) withdrawal and is
     * held to the rule for changing consent; one that only adds permissions is a plain record.
     */
    private boolean withdrawsAnything(ConsentTerms consent) {
        List<ConsentTerms> now = consents.termsOfPatient(consent.patient());
        var after = new ArrayList<>(now);
        after.add(consent);
        var instant = clock.instant();
        var refs = new ArrayList<Optional<ConsentPolicy.PhotoRef>>();
        refs.add(Optional.empty());
        for (var photo : photos.list(consent.patient().system(), consent.patient().value(), Optional.empty(),
                Optional.empty(), 500)) {
            var study = photos.study(photo.studyId);
            refs.add(Optional.of(new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid,
                    photo.sopInstanceUid)));
        }
        for (ConsentScope scope : ConsentScope.values()) {
            for (var ref : refs) {
                if (ConsentPolicy.decide(now, scope, ref, instant).permitted()
                        && !ConsentPolicy.decide(after, scope, ref, instant).permitted()) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<String> departmentsOf(BusinessIdentifier patient) {
        return List.copyOf(photos.accessTagsOfPatient(patient.system(), patient.value()));
    }

    private Caller caller() {
        return callers.current();
    }
}
