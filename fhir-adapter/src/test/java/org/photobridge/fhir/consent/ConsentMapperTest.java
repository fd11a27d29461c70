package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentScope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.testing.ConsentFixtures;

/** What the gateway learns from a Consent: flattened provisions and search keys. */
class ConsentMapperTest {

    private final ConsentMapper mapper = new ConsentMapper();

    @Test
    void provisionWithoutPurposeCoversEveryScope() {
        var terms = mapper.toTerms(ConsentFixtures.skeleton("MRN-M1"), "c1", 3);
        assertEquals("c1", terms.id());
        assertEquals(3, terms.version());
        assertTrue(terms.isActive());
        assertEquals(new BusinessIdentifier(ConsentFixtures.PATIENT_SYSTEM, "MRN-M1"), terms.patient());
        assertEquals(1, terms.provisions().size());
        assertTrue(terms.provisions().get(0).permit());
        assertEquals(List.of(), terms.provisions().get(0).scopes());
    }

    @Test
    void nestedProvisionsAreFlattenedInDocumentOrder() {
        var terms = mapper.toTerms(ConsentFixtures.teachingButNoMarketing("MRN-M2"), "c2", 1);
        var p = terms.provisions();
        assertEquals(3, p.size());
        assertFalse(p.get(0).permit());
        assertEquals(List.of(ConsentScope.CLINICAL_CARE, ConsentScope.TEACHING), p.get(1).scopes());
        assertTrue(p.get(1).permit());
        assertEquals(List.of(ConsentScope.MARKETING), p.get(2).scopes());
        assertFalse(p.get(2).permit());
    }

    @Test
    void nestedProvisionInheritsItsParentsPeriodAndData() {
        var consent = ConsentFixtures.namingPhotos("MRN-M3", "s9", "2.25.7");
        var base = consent.getProvision();
        base.setPeriod(new Period().setStartElement(new DateTimeType("2026-01-01T00:00:00Z"))
                .setEndElement(new DateTimeType("2030-12-31T00:00:00Z")));
        // Move the data up to the base provision: the nested permit then applies to those photos.
        base.getData().addAll(base.getProvisionFirstRep().getData());
        base.getProvisionFirstRep().getData().clear();
        var nested = mapper.toTerms(consent, "c3", 1).provisions().get(1);
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:00Z")), nested.start());
        assertEquals(List.of("ImagingStudy/s9", "urn:dicom:uid:2.25.7"), nested.data());
        assertTrue(nested.inForceAt(Instant.parse("2027-06-01T00:00:00Z")));
        assertFalse(nested.inForceAt(Instant.parse("2031-06-01T00:00:00Z")));
    }

    @Test
    void specificUseCarriesItsDescriptionAndPeriod() {
        var specific = mapper.toTerms(ConsentFixtures.specificUse("MRN-M4"), "c4", 1).provisions().get(2);
        assertEquals(List.of(ConsentScope.SPECIFIC_USE), specific.scopes());
        assertTrue(specific.description().orElseThrow().startsWith("European Congress"));
        assertTrue(specific.start().isPresent() && specific.end().isPresent());
    }

    @Test
    void searchKeysCollectPurposesAndDataFromEveryLevel() {
        var consent = ConsentFixtures.withIdentifier(ConsentFixtures.namingPhotos("MRN-M5", "s1", "2.25.5"), "F-1");
        consent.getPatient().setReference("Patient/ehr-5");
        var keys = mapper.toSearchKeys(consent);
        assertEquals("active", keys.status());
        assertEquals(Optional.of("Patient/ehr-5"), keys.patientReference());
        assertEquals(Set.of(ConsentCodes.ACT_REASON + "|TREAT", ConsentCodes.PURPOSE_SYSTEM + "|publication"),
                keys.purposes());
        assertEquals(Set.of("ImagingStudy/s1", "urn:dicom:uid:2.25.5"), keys.data());
        assertEquals(List.of(new BusinessIdentifier(ConsentFixtures.CONSENT_ID_SYSTEM, "F-1")), keys.identifiers());
        assertEquals(Optional.of(Instant.parse("2026-11-20T10:00:00Z")), keys.dateTime());
    }

    @Test
    void scopesMapToTheirPurposeCodesAndBack() {
        for (ConsentScope scope : ConsentScope.values()) {
            assertEquals(Optional.of(scope), ConsentCodes.scopeOf(ConsentCodes.purpose(scope)));
        }
        assertEquals(Optional.empty(), ConsentCodes.scopeOf(ConsentCodes.ACT_REASON, "HRESCH"));
        assertEquals(ConsentProvisionType.PERMIT, ConsentFixtures.skeleton("x").getProvision().getType());
    }

    @Test
    void purposeTokensMatchInTheirThreeForms() {
        String stored = ConsentCodes.ACT_REASON + "|TRAIN";
        assertTrue(PurposeToken.matches(stored, stored));
        assertTrue(PurposeToken.matches("TRAIN", stored));
        assertTrue(PurposeToken.matches(ConsentCodes.ACT_REASON + "|", stored));
        assertFalse(PurposeToken.matches("TREAT", stored));
        assertFalse(PurposeToken.matches(ConsentCodes.PURPOSE_SYSTEM + "|", stored));
    }
}
