package org.photobridge.fhir.imaging;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.SearchReferences;
import org.photobridge.fhir.access.FhirAccess;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.server.SearchHandling;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RawParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/** Read-only FHIR door to the encounters' photo studies: read, and search by patient, encounter, identifier. */
public class ImagingStudyResourceProvider implements IResourceProvider {

    private final ImagingStudySource source;
    private final ImagingStudyMapper mapper;
    private final FhirAccess access;

    public ImagingStudyResourceProvider(ImagingStudySource source, ImagingStudyMapper mapper, FhirAccess access) {
        this.source = Objects.requireNonNull(source, "source");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.access = Objects.requireNonNull(access, "access");
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
        return ImagingStudy.class;
    }

    @Read
    public ImagingStudy read(@IdParam IdType id) {
        access.patientRecords().require();
        // A study with nothing the caller may see answers like a missing one: its existence is not revealed.
        var study = source.read(id.getIdPart()).flatMap(access::visible)
                .orElseThrow(() -> new ResourceNotFoundException(id));
        access.audit(AuditAction.PATIENT_READ, true, Optional.of(study.patient()), entities(List.of(study)),
                "ImagingStudy read");
        return mapper.toFhir(study);
    }

    /**
     * {@code patient=Patient/123} (the EHR's literal reference), {@code patient:identifier=system|value},
     * {@code encounter:identifier=system|value} (only encounter identifiers are known),
     * {@code identifier=urn:dicom:uid|urn:oid:<Study Instance UID>}.
     */
    @Search(allowUnknownParams = true)
    public IBundleProvider search(
            @OptionalParam(name = ImagingStudy.SP_PATIENT) ReferenceParam patient,
            @OptionalParam(name = ImagingStudy.SP_ENCOUNTER) ReferenceParam encounter,
            @OptionalParam(name = ImagingStudy.SP_IDENTIFIER) TokenParam identifier,
            @RawParam Map<String, List<String>> unknownParameters,
            @Offset Integer offset,
            @Count Integer count,
            RequestDetails request) {
        SearchHandling.check(unknownParameters, request);
        if (patient == null) {
            access.acrossPatients().require();
        } else {
            access.patientRecords().require();
        }
        Optional<String> patientReference = Optional.empty();
        Optional<BusinessIdentifier> patientIdentifier = Optional.empty();
        if (patient != null) {
            var byIdentifier = SearchReferences.identifierOf(patient, "patient:identifier");
            if (byIdentifier.isPresent()) {
                patientIdentifier = byIdentifier;
            } else {
                patientReference = Optional.of("Patient/" + patient.getIdPart());
            }
        }
        Optional<BusinessIdentifier> encounterIdentifier = Optional.empty();
        if (encounter != null) {
            encounterIdentifier = Optional.of(SearchReferences.identifierOf(encounter, "encounter:identifier").orElseThrow(
                    () -> new InvalidRequestException("Search ImagingStudy by encounter:identifier=system|value; "
                            + "the EHR's Encounter ids are not known to this server")));
        }
        Optional<String> studyInstanceUid = Optional.empty();
        if (identifier != null) {
            var uid = studyInstanceUid(identifier);
            if (uid.isEmpty()) {
                return new SimpleBundleProvider(); // an identifier of another system never names one of our studies
            }
            studyInstanceUid = uid;
        }
        var views = source.search(patientReference, patientIdentifier, encounterIdentifier, studyInstanceUid).stream()
                .map(access::visible).flatMap(Optional::stream).toList();
        access.audit(AuditAction.PATIENT_QUERY, true, patientIdentifier, entities(views),
                "ImagingStudy search: " + views.size() + " returned");
        if (offset == null) {
            return new SimpleBundleProvider(views.stream().map(mapper::toFhir).toList());
        }
        // With _offset HAPI expects the page itself (and links the next one by the page size it assumes).
        Integer pageSize = count != null ? count : request == null ? null : request.getServer().getDefaultPageSize();
        int from = Math.min(Math.max(offset, 0), views.size());
        int to = pageSize == null ? views.size() : (int) Math.min((long) from + pageSize, views.size());
        var page = new SimpleBundleProvider(views.subList(from, to).stream().map(mapper::toFhir).toList());
        page.setSize(views.size());
        return page;
    }

    private static List<String> entities(List<StudyView> studies) {
        return studies.stream().map(s -> "ImagingStudy/" + s.id()).toList();
    }

    private static Optional<String> studyInstanceUid(TokenParam token) {
        var system = token.getSystem();
        var value = token.getValue();
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException("identifier needs a value: urn:dicom:uid|urn:oid:<Study Instance UID>");
        }
        if (system != null && !system.isEmpty() && !ImagingStudyMapper.DICOM_UID_SYSTEM.equals(system)) {
            return Optional.empty();
        }
        return Optional.of(value.startsWith("urn:oid:") ? value.substring("urn:oid:".length()) : value);
    }
}
