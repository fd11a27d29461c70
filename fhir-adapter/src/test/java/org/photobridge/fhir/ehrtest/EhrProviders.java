package org.photobridge.fhir.ehrtest;

import java.util.List;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;

/** The EHR stand-in's resource providers: Patient, Consent, ImagingStudy. */
final class EhrProviders {

    private EhrProviders() {
    }

    /** 422 with an OperationOutcome, as an EHR answers a resource missing a required element. */
    static UnprocessableEntityException missing(String path) {
        var outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.REQUIRED)
                .setDiagnostics(path + ": minimum required = 1, but only found 0");
        return new UnprocessableEntityException(path + " is required", outcome);
    }

    static final class PatientProvider implements IResourceProvider {
        final ResourceStore<Patient> store = new ResourceStore<>("Patient", Patient::getIdentifier);

        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return Patient.class;
        }

        @Create
        public MethodOutcome create(@ResourceParam Patient patient) {
            return store.create(patient);
        }

        @Read
        public Patient read(@IdParam IdType id) {
            return store.read(id);
        }

        @Search
        public List<Patient> search(@OptionalParam(name = Patient.SP_IDENTIFIER) TokenParam identifier) {
            return store.search(identifier);
        }
    }

    static final class ConsentProvider implements IResourceProvider {
        final ResourceStore<Consent> store = new ResourceStore<>("Consent", Consent::getIdentifier);

        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return Consent.class;
        }

        @Create
        public MethodOutcome create(@ResourceParam Consent consent) {
            return store.create(check(consent));
        }

        @Read
        public Consent read(@IdParam IdType id) {
            return store.read(id);
        }

        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam Consent consent,
                @ConditionalUrlParam String conditionalUrl) {
            return store.update(id, check(consent), conditionalUrl);
        }

        @Search
        public List<Consent> search(@OptionalParam(name = Consent.SP_IDENTIFIER) TokenParam identifier) {
            return store.search(identifier);
        }

        private static Consent check(Consent consent) {
            if (!consent.hasStatus()) {
                throw missing("Consent.status");
            }
            if (!consent.hasScope()) {
                throw missing("Consent.scope");
            }
            return consent;
        }
    }

    static final class ImagingStudyProvider implements IResourceProvider {
        final ResourceStore<ImagingStudy> store = new ResourceStore<>("ImagingStudy", ImagingStudy::getIdentifier);

        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return ImagingStudy.class;
        }

        @Create
        public MethodOutcome create(@ResourceParam ImagingStudy study) {
            return store.create(check(study));
        }

        @Read
        public ImagingStudy read(@IdParam IdType id) {
            return store.read(id);
        }

        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam ImagingStudy study,
                @ConditionalUrlParam String conditionalUrl) {
            return store.update(id, check(study), conditionalUrl);
        }

        @Search
        public List<ImagingStudy> search(@OptionalParam(name = ImagingStudy.SP_IDENTIFIER) TokenParam identifier) {
            return store.search(identifier);
        }

        private static ImagingStudy check(ImagingStudy study) {
            if (!study.hasStatus()) {
                throw missing("ImagingStudy.status");
            }
            if (!study.hasSubject()) {
                throw missing("ImagingStudy.subject");
            }
            return study;
        }
    }
}
