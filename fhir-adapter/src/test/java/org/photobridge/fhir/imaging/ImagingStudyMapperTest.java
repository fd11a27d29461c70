package org.photobridge.fhir.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.ImagingStudy.ImagingStudyStatus;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;

class ImagingStudyMapperTest {

    private final ImagingStudyMapper mapper = new ImagingStudyMapper(Studies.PACS);

    /** What a receiver sees: the mapped study written as JSON and read back. */
    private ImagingStudy roundTrip(StudyView view) {
        var json = FhirContexts.r4().newJsonParser().encodeResourceToString(mapper.toFhir(view));
        return FhirContexts.r4().newJsonParser().parseResource(ImagingStudy.class, json);
    }

    @Test
    void studyCarriesStudyInstanceUidAsUrnOidIdentifier() {
        var study = roundTrip(Studies.janeBreast());
        assertEquals("s1", study.getIdElement().getIdPart());
        assertEquals(1, study.getIdentifier().size());
        assertEquals("urn:dicom:uid", study.getIdentifierFirstRep().getSystem());
        assertEquals("urn:oid:2.25.100", study.getIdentifierFirstRep().getValue());
        assertEquals(ImagingStudyStatus.AVAILABLE, study.getStatus());
        assertEquals("2026-11-20T10:11:12Z", study.getStartedElement().getValueAsString());
        assertEquals("XC", study.getModalityFirstRep().getCode());
        assertEquals(ImagingStudyMapper.DCM_SYSTEM, study.getModalityFirstRep().getSystem());
    }

    @Test
    void subjectHasIdentifierAndLiteralReferenceOnceResolved() {
        var resolved = roundTrip(Studies.janeBreast());
        assertEquals("Patient/77", resolved.getSubject().getReference());
        assertEquals("MRN-0042", resolved.getSubject().getIdentifier().getValue());
        assertEquals("urn:oid:1.2.3.4.5", resolved.getSubject().getIdentifier().getSystem());

        var unresolved = roundTrip(Studies.johnWound());
        assertFalse(unresolved.getSubject().hasReference());
        assertEquals("MRN-0077", unresolved.getSubject().getIdentifier().getValue());
    }

    @Test
    void encounterIsReferencedByIdentifierOnly() {
        var study = roundTrip(Studies.janeBreast());
        assertFalse(study.getEncounter().hasReference());
        assertEquals("urn:oid:1.2.3.4.6", study.getEncounter().getIdentifier().getSystem());
        assertEquals("ENC-2026-118", study.getEncounter().getIdentifier().getValue());
    }

    @Test
    void wadoRsEndpointIsContainedSoItTravelsWithTheStudy() {
        var study = roundTrip(Studies.janeBreast());
        assertEquals(1, study.getEndpoint().size());
        assertEquals("#wado", study.getEndpointFirstRep().getReference());
        assertEquals(1, study.getContained().size());
        var endpoint = (Endpoint) study.getContained().get(0);
        assertEquals("wado", endpoint.getIdElement().getIdPart());
        assertEquals("http://terminology.hl7.org/CodeSystem/endpoint-connection-type", endpoint.getConnectionType().getSystem());
        assertEquals("dicom-wado-rs", endpoint.getConnectionType().getCode());
        assertEquals(Studies.PACS, endpoint.getAddress());
        assertEquals(Endpoint.EndpointStatus.ACTIVE, endpoint.getStatus());
        assertFalse(endpoint.getPayloadType().isEmpty());
    }

    @Test
    void seriesCarryBodySiteLateralityAndCounts() {
        var study = roundTrip(Studies.janeBreast());
        assertEquals(3, study.getNumberOfSeries());
        assertEquals(4, study.getNumberOfInstances());

        var left = study.getSeries().get(0);
        assertEquals("2.25.1001", left.getUid());
        assertEquals(1, left.getNumber());
        assertEquals("XC", left.getModality().getCode());
        assertEquals("http://snomed.info/sct", left.getBodySite().getSystem());
        assertEquals("76752008", left.getBodySite().getCode());
        assertEquals("Breast", left.getBodySite().getDisplay());
        assertEquals("7771000", left.getLaterality().getCode());
        assertEquals("http://snomed.info/sct", left.getLaterality().getSystem());
        assertEquals(2, left.getNumberOfInstances());

        assertEquals("51440002", study.getSeries().get(1).getLaterality().getCode());
        var abdomen = study.getSeries().get(2);
        assertFalse(abdomen.hasLaterality(), "unpaired (U) has no laterality");
        assertFalse(abdomen.getBodySite().hasDisplay());
        assertEquals("24028007", roundTrip(Studies.johnWound()).getSeriesFirstRep().getLaterality().getCode());
    }

    @Test
    void instancesCarryUidSopClassNumberAndViewAsTitle() {
        var instances = roundTrip(Studies.janeBreast()).getSeriesFirstRep().getInstance();
        assertEquals(2, instances.size());
        var first = instances.get(0);
        assertEquals("2.25.1001.1", first.getUid());
        assertEquals("urn:ietf:rfc:3986", first.getSopClass().getSystem());
        assertEquals("urn:oid:1.2.840.10008.5.1.4.1.1.77.1.4", first.getSopClass().getCode());
        assertEquals(1, first.getNumber());
        assertEquals("left-oblique-45", first.getTitle());
        assertFalse(instances.get(1).hasTitle());
    }

    @Test
    void studyWithEveryPhotoWithdrawnIsCancelledWithNoSeries() {
        var study = roundTrip(Studies.janeAllWithdrawn());
        assertEquals(ImagingStudyStatus.CANCELLED, study.getStatus());
        assertEquals(0, study.getNumberOfInstances());
        assertEquals(0, study.getNumberOfSeries());
        assertTrue(study.getSeries().isEmpty());
        assertEquals("urn:oid:2.25.300", study.getIdentifierFirstRep().getValue());
    }

    @Test
    void refusesToMapWithoutPacsAddress() {
        assertThrows(IllegalArgumentException.class, () -> new ImagingStudyMapper(" "));
    }
}
