package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.TestFhirServer;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** Consent search over HTTP: each parameter, combinations, nested purposes, dates, paging and total. */
class ConsentSearchTest {

    private static final String ACT = ConsentCodes.ACT_REASON;
    private static final String OURS = ConsentCodes.PURPOSE_SYSTEM;
    private static final String PATIENT = ConsentFixtures.PATIENT_SYSTEM;

    private static TestFhirServer server;
    private static IGenericClient client;
    /** Ids in creation order: care-only, all-scopes, teaching-no-marketing, specific-use, naming-photos. */
    private static final List<String> ids = new ArrayList<>();
    private static final List<InstantType> stored = new ArrayList<>();

    @BeforeAll
    static void createFive() {
        server = TestFhirServer.start(
                patient -> "MRN-S3".equals(patient.value()) ? Optional.of("Patient/ehr-3") : Optional.empty(),
                List.of());
        client = server.client("clinician");
        create(ConsentFixtures.clinicalCareOnly("MRN-S1"), "2026-01-10T09:00:00Z");
        create(ConsentFixtures.allScopes("MRN-S1"), "2026-02-10T09:00:00Z");
        create(ConsentFixtures.teachingButNoMarketing("MRN-S2"), "2026-03-10T09:00:00Z");
        create(ConsentFixtures.specificUse("MRN-S2"), "2026-04-10T09:00:00Z");
        create(ConsentFixtures.namingPhotos("MRN-S3", "study-1", "2.25.99"), "2026-05-10T09:00:00Z");
    }

    private static void create(Consent consent, String dateTime) {
        consent.setDateTimeElement(new DateTimeType(dateTime));
        var outcome = client.create().resource(consent).execute();
        ids.add(outcome.getId().getIdPart());
        stored.add(((Consent) outcome.getResource()).getMeta().getLastUpdatedElement());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Bundle search(String query) {
        return client.search().byUrl("Consent?" + query).returnBundle(Bundle.class).execute();
    }

    /** The positions (0..4, creation order) of the consents a search finds, checking Bundle.total too. */
    private static Set<Integer> found(String query) {
        Bundle bundle = search(query + "&_count=100");
        var positions = new HashSet<Integer>();
        bundle.getEntry().forEach(e -> positions.add(ids.indexOf(e.getResource().getIdElement().getIdPart())));
        assertEquals(bundle.getEntry().size(), bundle.getTotal(), "Bundle.total");
        return positions;
    }

    @Test
    void searchWithoutParametersFindsAllCurrentConsents() {
        Bundle all = search("_count=100");
        assertEquals(5, all.getTotal());
        assertEquals(5, all.getEntry().size());
    }

    @Test
    void patientIdentifierFindsThatPatientsConsents() {
        assertEquals(Set.of(0, 1), found("patient:identifier=" + PATIENT + "|MRN-S1"));
        assertEquals(Set.of(2, 3), found("patient:identifier=" + PATIENT + "%7CMRN-S2"));
        assertEquals(Set.of(), found("patient:identifier=urn:oid:9.9|MRN-S1"));
    }

    @Test
    void patientReferenceFindsConsentsLinkedToTheEhrPatient() {
        assertEquals(Set.of(4), found("patient=Patient/ehr-3"));
        assertEquals(Set.of(4), found("patient=ehr-3"));
        assertEquals(Set.of(), found("patient=Patient/other"));
    }

    @Test
    void statusFindsByCode() {
        assertEquals(Set.of(0, 1, 2, 3, 4), found("status=active"));
        assertEquals(Set.of(), found("status=inactive"));
    }

    @Test
    void purposeMatchesNestedProvisionsInEveryTokenForm() {
        assertEquals(Set.of(1, 2), found("purpose=TRAIN"));
        assertEquals(Set.of(1, 2), found("purpose=" + ACT + "|TRAIN"));
        assertEquals(Set.of(0, 1, 2, 3, 4), found("purpose=" + ACT + "|TREAT"));
        assertEquals(Set.of(1, 3, 4), found("purpose=" + OURS + "|"));
        assertEquals(Set.of(3), found("purpose=" + OURS + "|specific-use"));
        assertEquals(Set.of(), found("purpose=" + OURS + "|TRAIN"));
    }

    @Test
    void purposeValuesSeparatedByCommaAreAlternatives() {
        assertEquals(Set.of(1, 2, 3), found("purpose=" + OURS + "|specific-use," + ACT + "|HMARKT"));
    }

    @Test
    void dateRangesOnConsentDateTime() {
        assertEquals(Set.of(2, 3, 4), found("date=ge2026-03-01"));
        assertEquals(Set.of(0, 1), found("date=le2026-02-28"));
        assertEquals(Set.of(1, 2), found("date=ge2026-02-01&date=le2026-03-31"));
        assertEquals(Set.of(1), found("date=2026-02-10"));
    }

    @Test
    void dataFindsConsentsNamingAStudyOrAnInstance() {
        assertEquals(Set.of(4), found("data=ImagingStudy/study-1"));
        assertEquals(Set.of(4), found("data=urn:dicom:uid:2.25.99"));
        assertEquals(Set.of(4), found("data:identifier=urn:dicom:uid|urn:oid:2.25.99"));
        assertEquals(Set.of(), found("data=ImagingStudy/study-2"));
    }

    @Test
    void lastUpdatedFindsWhatWasStoredSince() {
        assertEquals(Set.of(2, 3, 4), found("_lastUpdated=ge" + stored.get(2).getValueAsString()));
        assertEquals(Set.of(0, 1), found("_lastUpdated=le" + stored.get(1).getValueAsString()));
    }

    @Test
    void parametersCombineWithAnd() {
        assertEquals(Set.of(3), found("patient:identifier=" + PATIENT + "|MRN-S2&purpose=specific-use"));
        assertEquals(Set.of(2), found("status=active&purpose=TRAIN&date=ge2026-03-01"));
        assertEquals(Set.of(), found("patient:identifier=" + PATIENT + "|MRN-S1&data=ImagingStudy/study-1"));
    }

    @Test
    void pagesOfTwoOverFiveResultsCarryTheCountedTotalWhenAskedAndWorkingNextLinks() {
        Bundle page = search("status=active&_count=2&_total=accurate");
        var seen = new ArrayList<String>();
        var sizes = new ArrayList<Integer>();
        while (true) {
            assertEquals(5, page.getTotal());
            sizes.add(page.getEntry().size());
            page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                break;
            }
            page = client.loadPage().next(page).execute();
            if (sizes.size() == 2) {
                assertNotNull(page.getLink(Bundle.LINK_PREV), "page 3 links back");
            }
        }
        assertEquals(List.of(2, 2, 1), sizes);
        assertEquals(Set.copyOf(ids), Set.copyOf(seen));
        assertEquals(5, seen.size(), "no consent twice");
        assertNull(search("status=active&_count=5").getLink(Bundle.LINK_NEXT));
    }

    @Test
    void withoutTotalAccurateOnlyThePageThatReachesTheEndCarriesTheTotal() {
        for (String mode : List.of("", "&_total=none", "&_total=estimate")) {
            Bundle page = search("status=active&_count=2" + mode);
            var sizes = new ArrayList<Integer>();
            var seen = new HashSet<String>();
            while (true) {
                sizes.add(page.getEntry().size());
                page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
                if (page.getLink(Bundle.LINK_NEXT) == null) {
                    break;
                }
                assertFalse(page.hasTotal(), "a full page with more behind it is not counted" + mode);
                page = client.loadPage().next(page).execute();
            }
            assertEquals(List.of(2, 2, 1), sizes, mode);
            assertEquals(5, page.getTotal(), "the last page knows the total" + mode);
            assertEquals(Set.copyOf(ids), seen, mode);
        }
        Bundle whole = search("status=active&_count=5");
        assertEquals(5, whole.getTotal(), "a page holding every match carries the total");
        assertNull(whole.getLink(Bundle.LINK_NEXT));
        Bundle beyond = search("status=active&_count=2&_offset=10");
        assertEquals(0, beyond.getEntry().size());
        assertFalse(beyond.hasTotal(), "an empty page past the end cannot tell where the end is");
        assertNull(beyond.getLink(Bundle.LINK_NEXT));
        assertEquals(5, search("status=active&_count=2&_offset=10&_total=accurate").getTotal());
    }

    @Test
    void anUnknownTotalModeIsRefused() {
        var refused = assertThrows(InvalidRequestException.class, () -> search("status=active&_total=exact"));
        assertTrue(refused.getMessage().contains("_total must be none, estimate or accurate"), refused.getMessage());
    }
}
