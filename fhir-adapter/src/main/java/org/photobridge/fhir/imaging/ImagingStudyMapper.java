package org.photobridge.fhir.imaging;

import java.util.Date;
import java.util.Objects;
import java.util.Optional;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.ImagingStudy.ImagingStudySeriesComponent;
import org.hl7.fhir.r4.model.ImagingStudy.ImagingStudyStatus;
import org.hl7.fhir.r4.model.Reference;
import org.photobridge.domain.BusinessIdentifier;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;

/**
 * Turns the gateway's view of an encounter's photo study into an R4 ImagingStudy with a contained
 * DICOMweb (WADO-RS) Endpoint, so the study carries its PACS address wherever it is published.
 */
public final class ImagingStudyMapper {

    /** ImagingStudy.identifier system for the Study Instance UID; the value is {@code urn:oid:<uid>}. */
    public static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    public static final String DCM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM";
    public static final String SNOMED_SYSTEM = "http://snomed.info/sct";
    public static final String URI_SYSTEM = "urn:ietf:rfc:3986";
    public static final String CONNECTION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/endpoint-connection-type";
    public static final String WADO_RS = "dicom-wado-rs";
    /** Local id of the contained Endpoint; ImagingStudy.endpoint references it as {@code #wado}. */
    public static final String ENDPOINT_ID = "wado";

    private static final Coding MODALITY_XC = new Coding(DCM_SYSTEM, "XC", "External-camera Photography");

    private final String dicomWebBaseUrl;

    /** @param dicomWebBaseUrl the PACS's DICOMweb base URL (the WADO-RS root, e.g. https://pacs/dicom-web) */
    public ImagingStudyMapper(String dicomWebBaseUrl) {
        if (dicomWebBaseUrl == null || dicomWebBaseUrl.isBlank()) {
            throw new IllegalArgumentException("The PACS DICOMweb base URL is required for ImagingStudy.endpoint");
        }
        this.dicomWebBaseUrl = dicomWebBaseUrl;
    }

    /** The identifier an ImagingStudy of this Study Instance UID carries, and that conditional updates match on. */
    public static BusinessIdentifier studyIdentifier(String studyInstanceUid) {
        return new BusinessIdentifier(DICOM_UID_SYSTEM, "urn:oid:" + studyInstanceUid);
    }

    public ImagingStudy toFhir(StudyView view) {
        Objects.requireNonNull(view, "view");
        var study = new ImagingStudy();
        study.setId(view.id());
        var uid = studyIdentifier(view.studyInstanceUid());
        study.addIdentifier(new Identifier().setSystem(uid.system()).setValue(uid.value()));

        var subject = referenceByIdentifier("Patient", view.patient());
        view.patientReference().ifPresent(subject::setReference);
        study.setSubject(subject);
        if (view.encounter() != null) {
            // Only the encounter's business identifier is known; the EHR's Encounter id is not.
            study.setEncounter(referenceByIdentifier("Encounter", view.encounter()));
        }
        var started = new DateTimeType(Date.from(view.started()), TemporalPrecisionEnum.SECOND);
        started.setTimeZoneZulu(true);
        study.setStartedElement(started);
        study.addModality(MODALITY_XC.copy());

        var endpoint = wadoEndpoint();
        study.addContained(endpoint);
        study.addEndpoint(new Reference("#" + ENDPOINT_ID));

        int instances = 0;
        for (var seriesView : view.series()) {
            if (seriesView.instances().isEmpty()) {
                continue; // every photo of this series was withdrawn
            }
            study.addSeries(series(seriesView));
            instances += seriesView.instances().size();
        }
        study.setNumberOfSeries(study.getSeries().size());
        study.setNumberOfInstances(instances);
        // Withdrawn photos are left out of the view. A study whose photos were all withdrawn no
        // longer makes anything available: "cancelled" (R4: unavailable) rather than "entered-in-error",
        // which would claim the study should never have existed.
        study.setStatus(instances == 0 ? ImagingStudyStatus.CANCELLED : ImagingStudyStatus.AVAILABLE);
        return study;
    }

    private Endpoint wadoEndpoint() {
        var endpoint = new Endpoint();
        endpoint.setId(ENDPOINT_ID);
        endpoint.setStatus(Endpoint.EndpointStatus.ACTIVE);
        endpoint.setName("PACS DICOMweb");
        endpoint.setConnectionType(new Coding(CONNECTION_TYPE_SYSTEM, WADO_RS, "DICOM WADO-RS"));
        // As in the R4 ImagingStudy example: the payload is DICOM, served by WADO-RS.
        endpoint.addPayloadType(new CodeableConcept().setText("DICOM WADO-RS"));
        endpoint.addPayloadMimeType("application/dicom");
        endpoint.setAddress(dicomWebBaseUrl);
        return endpoint;
    }

    private static ImagingStudySeriesComponent series(StudyView.SeriesView view) {
        var series = new ImagingStudySeriesComponent();
        series.setUid(view.seriesInstanceUid());
        series.setNumber(view.number());
        series.setModality(MODALITY_XC.copy());
        series.setNumberOfInstances(view.instances().size());
        if (view.bodySiteCode() != null && !view.bodySiteCode().isBlank()) {
            series.setBodySite(new Coding(SNOMED_SYSTEM, view.bodySiteCode(), view.bodySiteDisplay().orElse(null)));
        }
        laterality(view.laterality()).ifPresent(series::setLaterality);
        for (var instanceView : view.instances()) {
            var instance = series.addInstance();
            instance.setUid(instanceView.sopInstanceUid());
            instance.setSopClass(new Coding(URI_SYSTEM, "urn:oid:" + instanceView.sopClassUid(), null));
            instance.setNumber(instanceView.number());
            instanceView.view().ifPresent(instance::setTitle);
        }
        return series;
    }

    /** DICOM Image Laterality L/R/B as SNOMED CT qualifiers; U (unpaired) has no laterality. */
    static Optional<Coding> laterality(String laterality) {
        if (laterality == null) {
            return Optional.empty();
        }
        return switch (laterality.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "L" -> Optional.of(new Coding(SNOMED_SYSTEM, "7771000", "Left"));
            case "R" -> Optional.of(new Coding(SNOMED_SYSTEM, "24028007", "Right"));
            case "B" -> Optional.of(new Coding(SNOMED_SYSTEM, "51440002", "Right and left"));
            default -> Optional.empty();
        };
    }

    private static Reference referenceByIdentifier(String type, BusinessIdentifier identifier) {
        var reference = new Reference();
        reference.setType(type);
        reference.setIdentifier(new Identifier().setSystem(identifier.system()).setValue(identifier.value()));
        return reference;
    }
}
