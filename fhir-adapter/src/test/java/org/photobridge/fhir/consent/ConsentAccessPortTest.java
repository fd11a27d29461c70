package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.FhirHttp;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.testing.TestFhirServer;

/**
 * The Consent provider asks the access port before every read, search, history and write, withholds
 * signed forms from those the port says may not see them, and reports what it served for the audit
 * trail. The gateway's real policy behind the port is tested with real tokens in the gateway.
 */
class ConsentAccessPortTest {

    private TestFhirServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private FhirHttp start(RecordingAccess access) {
        server = TestFhirServer.start(PatientLinker.NONE, List.of(), access);
        return new FhirHttp(server.baseUrl(), "clinician");
    }

    private static String create(FhirHttp http, Consent consent) {
        var response = http.post("Consent", FhirHttp.json(consent));
        assertEquals(201, response.statusCode(), response.body());
        return FhirHttp.parse(Consent.class, response).getIdElement().getIdPart();
    }

    private static void forbidden(HttpResponse<String> response, String reasonPart) {
        assertEquals(403, response.statusCode(), response.body());
        var outcome = FhirHttp.parse(OperationOutcome.class, response);
        assertTrue(outcome.getIssueFirstRep().getDiagnostics().contains(reasonPart), response.body());
    }

    @Test
    void searchWithoutAPatientAndTypeHistoryAreRefusedWhenThePortSaysSo() {
        var http = start(RecordingAccess.permitAll().denyAcrossPatients());
        create(http, ConsentFixtures.clinicalCareOnly("MRN-P1"));
        forbidden(http.get("Consent"), "name the patient");
        forbidden(http.get("Consent?status=active"), "name the patient");
        forbidden(http.get("Consent/_history"), "name the patient");
        var named = http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P1");
        assertEquals(200, named.statusCode());
        assertEquals(1, FhirHttp.parse(Bundle.class, named).getTotal());
    }

    @Test
    void signedFormIsWithheldButItsHashShown() {
        var access = RecordingAccess.permitAll().withholdSignedForms();
        var http = start(access);
        var consent = ConsentFixtures.allScopes("MRN-P2");
        String id = create(http, consent);
        var read = FhirHttp.parse(Consent.class, http.get("Consent/" + id));
        var form = read.getSourceAttachment();
        assertFalse(form.hasData(), "the form's bytes are withheld");
        assertEquals(ConsentValidator.sha256Hex(ConsentFixtures.signedFormBytes()),
                form.getExtensionString(ConsentCodes.ATTACHMENT_SHA256));
        assertTrue(form.getExtensionByUrl(ConsentCodes.FORM_WITHHELD) != null);
        var searched = FhirHttp.parse(Bundle.class,
                http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P2"));
        assertFalse(((Consent) searched.getEntryFirstRep().getResource()).getSourceAttachment().hasData());
        var history = FhirHttp.parse(Bundle.class, http.get("Consent/" + id + "/_history"));
        assertFalse(((Consent) history.getEntryFirstRep().getResource()).getSourceAttachment().hasData());
        // Stored whole: only the answer is cut.
        assertTrue(server.repository().latest(id).orElseThrow().version().json().contains("\"data\""));
    }

    @Test
    void changesAreRefusedWhenThePortSaysSoAndNothingIsStored() {
        var access = RecordingAccess.permitAll().denyConsentChanges();
        var http = start(access);
        String id = create(http, ConsentFixtures.clinicalCareOnly("MRN-P3"));
        var withdrawn = ConsentFixtures.clinicalCareOnly("MRN-P3");
        withdrawn.setId(id);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        int before = server.repository().versionCount();
        forbidden(http.put("Consent/" + id, FhirHttp.json(withdrawn)), "consent changes denied");
        // A new consent that denies is a change too.
        var deny = ConsentFixtures.skeleton("MRN-P3");
        deny.getProvision().setType(Consent.ConsentProvisionType.DENY);
        forbidden(http.post("Consent", FhirHttp.json(deny)), "consent changes denied");
        assertEquals(before, server.repository().versionCount());
    }

    @Test
    void patientOfAConsentCannotChangeOnUpdate() {
        var http = start(RecordingAccess.permitAll());
        String id = create(http, ConsentFixtures.clinicalCareOnly("MRN-P4"));
        var moved = ConsentFixtures.clinicalCareOnly("MRN-OTHER");
        moved.setId(id);
        var response = http.put("Consent/" + id, FhirHttp.json(moved));
        assertEquals(422, response.statusCode(), response.body());
        assertTrue(response.body().contains("patient of a Consent cannot change"));
        assertEquals(1, server.repository().latest(id).orElseThrow().version().version());
    }

    @Test
    void conditionalCreateMatchesOnlyTheSamePatient() {
        var http = start(RecordingAccess.permitAll());
        String first = create(http, ConsentFixtures.withIdentifier(ConsentFixtures.clinicalCareOnly("MRN-P5"), "F-1"));
        String ifNoneExist = "identifier=" + ConsentFixtures.CONSENT_ID_SYSTEM + "%7CF-1";
        var same = http.post("Consent", FhirHttp.json(ConsentFixtures.withIdentifier(
                ConsentFixtures.clinicalCareOnly("MRN-P5"), "F-1")), "If-None-Exist", ifNoneExist);
        assertEquals(200, same.statusCode(), same.body());
        assertEquals(first, FhirHttp.parse(Consent.class, same).getIdElement().getIdPart());
        // Another patient's identifier does not match: the probe learns nothing and gets its own consent.
        var other = http.post("Consent", FhirHttp.json(ConsentFixtures.withIdentifier(
                ConsentFixtures.clinicalCareOnly("MRN-P6"), "F-1")), "If-None-Exist", ifNoneExist);
        assertEquals(201, other.statusCode(), other.body());
        assertNotEquals(first, FhirHttp.parse(Consent.class, other).getIdElement().getIdPart());
        assertEquals("MRN-P6", FhirHttp.parse(Consent.class, other).getPatient().getIdentifier().getValue());
    }

    @Test
    void clientSuppliedPatientReferenceIsNotKept() {
        var http = start(RecordingAccess.permitAll());
        var consent = ConsentFixtures.clinicalCareOnly("MRN-P7");
        consent.setPatient(new Reference("Patient/someone-else").setIdentifier(consent.getPatient().getIdentifier()));
        String id = create(http, consent);
        var read = FhirHttp.parse(Consent.class, http.get("Consent/" + id));
        assertFalse(read.getPatient().hasReference(), "only a reference the EHR resolved is kept");
    }

    @Test
    void readsAndSearchesAreReportedForTheAuditTrail() {
        var access = RecordingAccess.permitAll();
        var http = start(access);
        String id = create(http, ConsentFixtures.clinicalCareOnly("MRN-P8"));
        http.get("Consent/" + id);
        http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P8");
        var read = access.audited().stream().filter(a -> a.action() == AuditAction.PATIENT_READ).findFirst()
                .orElseThrow();
        assertEquals(Optional.of("MRN-P8"), read.patient().map(p -> p.value()));
        assertEquals(List.of("Consent/" + id + "/_history/1"), read.entities());
        var query = access.audited().stream().filter(a -> a.action() == AuditAction.PATIENT_QUERY).findFirst()
                .orElseThrow();
        assertEquals(List.of("Consent/" + id + "/_history/1"), query.entities());
        assertTrue(query.detail().contains("1 returned"), query.detail());
    }

    @Test
    void categoryIsASearchParameter() {
        var http = start(RecordingAccess.permitAll());
        create(http, ConsentFixtures.clinicalCareOnly("MRN-P9"));
        var patient = "patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P9";
        assertEquals(1, FhirHttp.parse(Bundle.class, http.get("Consent?" + patient + "&category="
                + ConsentCodes.LOINC + "%7C" + ConsentCodes.CATEGORY_CONSENT_DOCUMENT)).getTotal());
        assertEquals(1, FhirHttp.parse(Bundle.class, http.get("Consent?" + patient + "&category="
                + ConsentCodes.CATEGORY_CONSENT_DOCUMENT)).getTotal());
        assertEquals(0, FhirHttp.parse(Bundle.class, http.get("Consent?" + patient + "&category=other")).getTotal());
    }

    @Test
    void unknownSearchParametersAreRefusedUnlessTheClientPrefersLenientHandling() {
        var http = start(RecordingAccess.permitAll());
        create(http, ConsentFixtures.clinicalCareOnly("MRN-P10"));
        var patient = "patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P10";
        var strict = http.get("Consent?" + patient + "&colour=blue");
        assertEquals(400, strict.statusCode(), strict.body());
        assertTrue(strict.body().contains("colour"), strict.body());
        var lenient = http.getWith("Consent?" + patient + "&colour=blue", "Prefer", "handling=lenient");
        assertEquals(200, lenient.statusCode(), lenient.body());
        var bundle = FhirHttp.parse(Bundle.class, lenient);
        assertEquals(1, bundle.getTotal());
        var outcome = bundle.getEntry().stream().filter(e -> e.getResource() instanceof OperationOutcome).findFirst()
                .orElseThrow();
        assertEquals(Bundle.SearchEntryMode.OUTCOME, outcome.getSearch().getMode());
        assertTrue(((OperationOutcome) outcome.getResource()).getIssueFirstRep().getDiagnostics().contains("colour"));
    }
}
