package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;

class AuditEventMapperTest {

    private final AuditEventMapper mapper = new AuditEventMapper();

    private AuditEvent roundTrip(AuditRecord record) {
        var json = FhirContexts.r4().newJsonParser().encodeResourceToString(mapper.toFhir(record));
        return FhirContexts.r4().newJsonParser().parseResource(AuditEvent.class, json);
    }

    private AuditEvent event(AuditAction action, boolean success) {
        return roundTrip(AuditRecords.record(3, action, success, AuditRecords.DR_A, Optional.of(AuditRecords.JANE),
                List.of(AuditRecords.PHOTO_UID)));
    }

    private void assertCodes(AuditAction action, String type, String subtype, AuditEventAction fhirAction) {
        var event = event(action, true);
        assertEquals("http://dicom.nema.org/resources/ontology/DCM", event.getType().getSystem(), action.name());
        assertEquals(type, event.getType().getCode(), action.name());
        assertEquals("http://photobridge.org/fhir/CodeSystem/audit-action", event.getSubtypeFirstRep().getSystem());
        assertEquals(subtype, event.getSubtypeFirstRep().getCode(), action.name());
        assertEquals(fhirAction, event.getAction(), action.name());
    }

    @Test
    void eachActionHasItsDicomTypeProjectSubtypeAndAction() {
        assertCodes(AuditAction.CONSENT_CREATED, "110110", "consent-created", AuditEventAction.C);
        assertCodes(AuditAction.CONSENT_UPDATED, "110110", "consent-updated", AuditEventAction.U);
        assertCodes(AuditAction.CONSENT_WITHDRAWN, "110110", "consent-withdrawn", AuditEventAction.U);
        assertCodes(AuditAction.PHOTO_STORED, "110104", "photo-stored", AuditEventAction.C);
        assertCodes(AuditAction.PHOTO_VIEWED, "110103", "photo-viewed", AuditEventAction.R);
        assertCodes(AuditAction.PHOTO_EXPORTED, "110106", "photo-exported", AuditEventAction.R);
        assertCodes(AuditAction.PHOTO_WITHDRAWN, "110103", "photo-withdrawn", AuditEventAction.D);
        assertCodes(AuditAction.ACCESS_DENIED, "110113", "access-denied", AuditEventAction.E);
    }

    @Test
    void everyActionIsMapped() {
        for (var action : AuditAction.values()) {
            assertTrue(event(action, true).getSubtypeFirstRep().hasCode(), action.name());
        }
    }

    @Test
    void outcomeIsSuccessOrMinorFailure() {
        assertEquals(AuditEventOutcome._0, event(AuditAction.PHOTO_VIEWED, true).getOutcome());
        var denied = event(AuditAction.ACCESS_DENIED, false);
        assertEquals(AuditEventOutcome._4, denied.getOutcome());
        assertEquals("access_denied for test", denied.getOutcomeDesc());
    }

    @Test
    void carriesIdRecordedAgentAndObserver() {
        var event = event(AuditAction.PHOTO_VIEWED, true);
        assertEquals("a3", event.getIdElement().getIdPart());
        assertEquals("2026-11-04T09:00:00.000Z", event.getRecordedElement().getValueAsString());
        var agent = event.getAgentFirstRep();
        assertEquals("urn:photobridge:subject", agent.getWho().getIdentifier().getSystem());
        assertEquals(AuditRecords.DR_A, agent.getWho().getIdentifier().getValue());
        assertEquals("Dr A", agent.getName());
        assertTrue(agent.getRequestor());
        assertEquals(List.of("clinician", "photographer"),
                agent.getRole().stream().map(r -> r.getCodingFirstRep().getCode()).toList());
        assertEquals("PhotoBridge gateway", event.getSource().getObserver().getDisplay());
    }

    @Test
    void patientAndTouchedObjectsAreEntities() {
        var event = roundTrip(AuditRecords.record(2, AuditAction.PHOTO_STORED, true, AuditRecords.DR_A,
                Optional.of(AuditRecords.JANE), List.of("Consent/c1/_history/2", AuditRecords.PHOTO_UID)));
        assertEquals(3, event.getEntity().size());
        var patient = event.getEntity().get(0);
        assertEquals("MRN-0042", patient.getWhat().getIdentifier().getValue());
        assertEquals("urn:oid:1.2.3.4.5", patient.getWhat().getIdentifier().getSystem());
        assertEquals("1", patient.getType().getCode());
        assertEquals("1", patient.getRole().getCode());
        assertEquals("Consent/c1/_history/2", event.getEntity().get(1).getWhat().getReference());
        var photo = event.getEntity().get(2).getWhat();
        assertFalse(photo.hasReference());
        assertEquals("urn:dicom:uid", photo.getIdentifier().getSystem());
        assertEquals("urn:oid:2.25.1001.1", photo.getIdentifier().getValue());
    }

    @Test
    void withoutPatientThereIsNoPatientEntity() {
        var event = roundTrip(AuditRecords.record(9, AuditAction.ACCESS_DENIED, false, AuditRecords.DR_A,
                Optional.empty(), List.of("ImagingStudy/s2")));
        assertEquals(1, event.getEntity().size());
        assertEquals("ImagingStudy/s2", event.getEntityFirstRep().getWhat().getReference());
    }

    @Test
    void carriesChainSequenceAndHash() {
        var event = event(AuditAction.PHOTO_VIEWED, true);
        var chain = event.getExtensionByUrl(AuditEventMapper.CHAIN_EXTENSION_URL);
        assertEquals(3L, ((DecimalType) chain.getExtensionByUrl("sequence").getValue()).getValue().longValueExact());
        assertEquals("%064x".formatted(3), ((StringType) chain.getExtensionByUrl("hash").getValue()).getValue());
    }
}
