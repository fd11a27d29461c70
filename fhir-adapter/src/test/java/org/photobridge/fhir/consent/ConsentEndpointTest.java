package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentScope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.FhirHttp;
import org.photobridge.fhir.testing.TestFhirServer;

import ca.uhn.fhir.rest.client.api.IGenericClient;

/** Consent create, read, vread, update, history and conditional create over HTTP. */
class ConsentEndpointTest {

    private static TestFhirServer server;
    private static IGenericClient client;
    private static FhirHttp http;

    @BeforeAll
    static void start() {
        server = TestFhirServer.start(
                patient -> "MRN-LINKED".equals(patient.value()) ? Optional.of("Patient/ehr-77") : Optional.empty(),
                List.of());
        client = server.client("photographer");
        http = new FhirHttp(server.baseUrl(), "clinician");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Consent roundTrip(Consent sent) {
        var outcome = client.create().resource(sent).execute();
        assertTrue(outcome.getCreated());
        IdType id = (IdType) outcome.getId();
        assertEquals("1", id.getVersionIdPart());
        Consent read = client.read().resource(Consent.class).withId(id.getIdPart()).execute();
        Consent vread = client.read().resource(Consent.class).withIdAndVersion(id.getIdPart(), "1").execute();
        assertEquals("1", read.getMeta().getVersionId());
        assertNotNull(read.getMeta().getLastUpdated());
        assertEquals(read.getMeta().getLastUpdated(), vread.getMeta().getLastUpdated());
        // Everything the client sent comes back (apart from id and meta the server assigns).
        sent.setId((String) null);
        var back = read.copy();
        back.setId((String) null);
        back.setMeta(null);
        assertEquals(FhirHttp.json(sent), FhirHttp.json(back));
        return read;
    }

    @Test
    void clinicalCareOnlyRoundTrips() {
        var read = roundTrip(ConsentFixtures.clinicalCareOnly("MRN-RT-1"));
        var terms = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().terms();
        assertEquals(2, terms.provisions().size());
        assertFalse(terms.provisions().get(0).permit());
        assertEquals(List.of(ConsentScope.CLINICAL_CARE), terms.provisions().get(1).scopes());
    }

    @Test
    void allScopesRoundTrips() {
        var read = roundTrip(ConsentFixtures.allScopes("MRN-RT-2"));
        var keys = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().keys();
        assertEquals(4, keys.purposes().size());
    }

    @Test
    void teachingPermitMarketingDenyRoundTrips() {
        var read = roundTrip(ConsentFixtures.teachingButNoMarketing("MRN-RT-3"));
        var terms = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().terms();
        assertFalse(terms.provisions().get(2).permit());
        assertEquals(List.of(ConsentScope.MARKETING), terms.provisions().get(2).scopes());
    }

    @Test
    void specificUseRoundTripsWithPeriodAndDescription() {
        var read = roundTrip(ConsentFixtures.specificUse("MRN-RT-4"));
        var specific = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().terms()
                .provisions().get(2);
        assertEquals(List.of(ConsentScope.SPECIFIC_USE), specific.scopes());
        assertTrue(specific.start().isPresent() && specific.end().isPresent());
        assertTrue(specific.description().orElseThrow().contains("Congress"));
    }

    @Test
    void consentNamingThePhotosShownRoundTrips() {
        var read = roundTrip(ConsentFixtures.namingPhotos("MRN-RT-5", "study-9", "2.25.1234"));
        var keys = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().keys();
        assertEquals(java.util.Set.of("ImagingStudy/study-9", "urn:dicom:uid:2.25.1234"), keys.data());
    }

    @Test
    void signedFormRoundTripsAndItsSha256IsRecorded() {
        byte[] pdf = ConsentFixtures.signedFormBytes();
        var read = roundTrip(ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("MRN-RT-6"), pdf));
        var terms = server.repository().latest(read.getIdElement().getIdPart()).orElseThrow().terms();
        assertEquals(Optional.of(ConsentValidator.sha256Hex(pdf)), terms.formSha256());
    }

    @Test
    void patientIsLinkedToTheEhrWhenTheLinkerResolvesIt() {
        var outcome = client.create().resource(ConsentFixtures.allScopes("MRN-LINKED")).execute();
        Consent read = client.read().resource(Consent.class).withId(outcome.getId().getIdPart()).execute();
        assertEquals("Patient/ehr-77", read.getPatient().getReference());
        assertEquals("MRN-LINKED", read.getPatient().getIdentifier().getValue());
    }

    @Test
    void conditionalCreateReturnsTheExistingConsentInsteadOfADuplicate() {
        var consent = ConsentFixtures.withIdentifier(ConsentFixtures.allScopes("MRN-COND"), "form-2026-0001");
        String condition = "identifier=" + ConsentFixtures.CONSENT_ID_SYSTEM + "%7Cform-2026-0001";
        HttpResponse<String> first = http.post("Consent", FhirHttp.json(consent), "If-None-Exist", condition);
        assertEquals(201, first.statusCode(), first.body());
        int stored = server.repository().versionCount();
        HttpResponse<String> second = http.post("Consent", FhirHttp.json(consent), "If-None-Exist", condition);
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(stored, server.repository().versionCount());
        assertEquals(FhirHttp.parse(Consent.class, first).getIdElement().getIdPart(),
                FhirHttp.parse(Consent.class, second).getIdElement().getIdPart());
        // And through the HAPI client, as the EHR publisher would retry.
        var again = client.create().resource(consent).conditionalByUrl("Consent?" + condition).execute();
        assertEquals(FhirHttp.parse(Consent.class, first).getIdElement().getIdPart(), again.getId().getIdPart());
        assertEquals(stored, server.repository().versionCount());
    }

    @Test
    void updateMakesVersionTwoAndBothAppearInInstanceAndTypeHistory() {
        var created = client.create().resource(ConsentFixtures.clinicalCareOnly("MRN-UPD")).execute();
        String id = created.getId().getIdPart();
        Consent current = client.read().resource(Consent.class).withId(id).execute();
        current.getProvision().getProvisionFirstRep()
                .addPurpose(ConsentCodes.purpose(ConsentScope.TEACHING));
        ConsentFixtures.withSignedForm(current, ConsentFixtures.signedFormBytes());
        var updated = client.update().resource(current).execute();
        assertEquals("2", updated.getId().getVersionIdPart());

        Bundle history = client.history().onInstance(new IdType("Consent", id)).returnBundle(Bundle.class).execute();
        assertEquals(Bundle.BundleType.HISTORY, history.getType());
        assertEquals(List.of("2", "1"), versions(history));
        Consent v1 = client.read().resource(Consent.class).withIdAndVersion(id, "1").execute();
        assertEquals(1, v1.getProvision().getProvisionFirstRep().getPurpose().size());

        Bundle typeHistory = client.history().onType(Consent.class).returnBundle(Bundle.class).count(100).execute();
        var ids = typeHistory.getEntry().stream().map(e -> e.getResource().getIdElement())
                .filter(i -> i.getIdPart().equals(id)).map(IdType::getVersionIdPart).toList();
        assertEquals(List.of("2", "1"), ids);
    }

    @Test
    void withdrawalIsAnUpdateToInactiveAndKeepsTheHistory() {
        var created = client.create().resource(ConsentFixtures.allScopes("MRN-WD")).execute();
        String id = created.getId().getIdPart();
        Consent current = client.read().resource(Consent.class).withId(id).execute();
        current.setStatus(ConsentState.INACTIVE);
        client.update().resource(current).execute();

        Consent now = client.read().resource(Consent.class).withId(id).execute();
        assertEquals(ConsentState.INACTIVE, now.getStatus());
        Bundle history = client.history().onInstance(new IdType("Consent", id)).returnBundle(Bundle.class).execute();
        assertEquals(List.of("inactive", "active"), history.getEntry().stream()
                .map(e -> ((Consent) e.getResource()).getStatus().toCode()).toList());
        assertFalse(server.repository().latest(id).orElseThrow().terms().isActive());
    }

    @Test
    void updateWithAStaleIfMatchIsRefusedWith412() {
        var created = client.create().resource(ConsentFixtures.allScopes("MRN-IFM")).execute();
        String id = created.getId().getIdPart();
        Consent current = client.read().resource(Consent.class).withId(id).execute();
        current.setIdElement(new IdType("Consent", id));
        assertEquals(200, http.put("Consent/" + id, FhirHttp.json(current), "If-Match", "W/\"1\"").statusCode());
        int stored = server.repository().versionCount();
        var stale = http.put("Consent/" + id, FhirHttp.json(current), "If-Match", "W/\"1\"");
        assertEquals(412, stale.statusCode(), stale.body());
        assertEquals(stored, server.repository().versionCount());
    }

    @Test
    void updateWhoseBodyIdDiffersFromTheUrlIsRefused() {
        var created = client.create().resource(ConsentFixtures.allScopes("MRN-IDM")).execute();
        Consent current = client.read().resource(Consent.class).withId(created.getId().getIdPart()).execute();
        current.setIdElement(new IdType("Consent", "someone-else"));
        var response = http.put("Consent/" + created.getId().getIdPart(), FhirHttp.json(current));
        assertEquals(400, response.statusCode(), response.body());
    }

    @Test
    void readOfAnUnknownConsentIs404AndDeleteIsNotSupported() {
        assertEquals(404, http.get("Consent/nope").statusCode());
        var created = client.create().resource(ConsentFixtures.allScopes("MRN-DEL")).execute();
        int status = http.delete("Consent/" + created.getId().getIdPart()).statusCode();
        assertTrue(status == 405 || status == 400, "delete must be refused, got " + status);
        assertEquals(200, http.get("Consent/" + created.getId().getIdPart()).statusCode());
    }

    // --- invalid consents -------------------------------------------------------------------------------

    private static OperationOutcome rejected(Consent consent) {
        return rejected(FhirHttp.json(consent));
    }

    private static OperationOutcome rejected(String json) {
        int before = server.repository().versionCount();
        HttpResponse<String> response = http.post("Consent", json);
        assertEquals(422, response.statusCode(), response.body());
        assertEquals(before, server.repository().versionCount(), "nothing may be stored");
        return FhirHttp.parse(OperationOutcome.class, response);
    }

    private static boolean names(OperationOutcome outcome, String expression, String messagePart) {
        return outcome.getIssue().stream().anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
                && i.getExpression().stream().anyMatch(e -> e.getValue().startsWith(expression))
                && i.getDiagnostics() != null && i.getDiagnostics().contains(messagePart));
    }

    @Test
    void consentWithoutStatusIsRejected() {
        var c = ConsentFixtures.allScopes("MRN-BAD-1");
        c.setStatus(null);
        assertTrue(names(rejected(c), "Consent.status", "required"));
    }

    @Test
    void consentWithAnotherCategoryIsRejected() {
        var c = ConsentFixtures.allScopes("MRN-BAD-2");
        c.getCategoryFirstRep().getCodingFirstRep().setCode("64292-6");
        assertTrue(names(rejected(c), "Consent.category", "59284-0"));
    }

    @Test
    void unknownPurposeCodeIsRejected() {
        var c = ConsentFixtures.allScopes("MRN-BAD-3");
        c.getProvision().addPurpose(new org.hl7.fhir.r4.model.Coding(ConsentCodes.ACT_REASON, "HRESCH", null));
        assertTrue(names(rejected(c), "Consent.provision.purpose[4]", "unknown purpose code"));
    }

    @Test
    void otherScopeIsRejected() {
        var c = ConsentFixtures.allScopes("MRN-BAD-4");
        c.getScope().getCodingFirstRep().setCode("research");
        assertTrue(names(rejected(c), "Consent.scope", "patient-privacy"));
    }

    @Test
    void patientWithoutIdentifierIsRejected() {
        var c = ConsentFixtures.allScopes("MRN-BAD-5");
        c.getPatient().setIdentifier(null).setReference("Patient/123");
        assertTrue(names(rejected(c), "Consent.patient.identifier", "identifier"));
    }

    @Test
    void specificUseWithoutPeriodOrDescriptionIsRejected() {
        var c = ConsentFixtures.specificUse("MRN-BAD-6");
        var specific = c.getProvision().getProvision().get(1);
        specific.setPeriod(null);
        specific.getExtension().clear();
        var outcome = rejected(c);
        assertTrue(names(outcome, "Consent.provision.provision[1].period", "period"));
        assertTrue(names(outcome, "Consent.provision.provision[1].extension", "description"));
    }

    @Test
    void signedFormWhoseSha256DoesNotMatchIsRejected() {
        var c = ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("MRN-BAD-7"), ConsentFixtures.signedFormBytes());
        c.getSourceAttachment().setData("%PDF-1.4 a different form".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        var outcome = rejected(c);
        assertTrue(names(outcome, "Consent.source", "sourceAttachment hash does not match its data"));
    }

    @Test
    void dataReferenceToSomethingElseThanAStudyOrDicomUidIsRejected() {
        var c = ConsentFixtures.namingPhotos("MRN-BAD-8", "s1", "2.25.1");
        c.getProvision().getProvisionFirstRep().getDataFirstRep().getReference().setReference("Patient/1");
        assertTrue(names(rejected(c), "Consent.provision.provision[0].data[0].reference", "ImagingStudy"));
    }

    @Test
    void baseSpecViolationsAreRejectedAllAtOnce() {
        String json = FhirHttp.json(ConsentFixtures.teachingButNoMarketing("MRN-BAD-9"))
                .replace("\"status\":\"active\"", "\"status\":\"signed\"")
                .replace("\"type\":\"deny\"", "\"type\":\"forbid\"");
        var outcome = rejected(json);
        assertTrue(names(outcome, "Consent.status", "signed"), outcome.getIssue().toString());
        assertTrue(names(outcome, "Consent.provision", "forbid"));
    }

    @Test
    void everyProblemIsNamedInOneOutcome() {
        var c = ConsentFixtures.allScopes("MRN-BAD-10");
        c.setStatus(null);
        c.getScope().getCodingFirstRep().setCode("adr");
        c.getProvision().addPurpose(new org.hl7.fhir.r4.model.Coding("http://example.org/purposes", "ads", null));
        var outcome = rejected(c);
        Function<String, Boolean> has = e -> outcome.getIssue().stream()
                .anyMatch(i -> i.getExpression().stream().anyMatch(x -> x.getValue().startsWith(e)));
        assertTrue(has.apply("Consent.status"));
        assertTrue(has.apply("Consent.scope"));
        assertTrue(has.apply("Consent.provision.purpose[4]"));
    }

    private static List<String> versions(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getVersionIdPart()).toList();
    }
}
