package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.FhirHttp;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.testing.RunningFhirServer;
import org.photobridge.fhir.testing.TestFhirServer;

/**
 * The Consent provider asks the access port before every read, search, history and write, withholds
 * signed forms from those the port says may not see them, and reports what it served for the audit
 * trail. The gateway's real policy behind the port is tested with real tokens in the gateway.
 */
class ConsentAccessPortTest {

    @RegisterExtension
    final RunningFhirServer fhir = new RunningFhirServer();

    private FhirHttp start(RecordingAccess access) {
        return fhir.start(access);
    }

    private static String create(FhirHttp http, Consent consent) {
        var response = http.post("Consent", FhirHttp.json(consent));
        assertEquals(201, response.statusCode(), response.body());
        return FhirHttp.parse(Consent.class, response).getIdElement().getIdPart();
    }

    /** A JSON string literal of base64 text (which holds no quote or backslash, only line breaks to escape). */
    private static String quoted(String base64) {
        return "\"" + base64.replace("\n", "\\n") + "\"";
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
        assertTrue(fhir.server().repository().latest(id).orElseThrow().version().json().contains("\"data\""));
    }

    @Test
    void aFormKeptApartIsNeverReadForCallersWhoMayNotSeeForms() {
        var http = start(RecordingAccess.permitAll().withholdSignedForms());
        String id = create(http, ConsentFixtures.allScopes("MRN-P5"));
        var reads = new AtomicInteger();
        fhir.server().repository().keepFormApart(id, () -> {
            reads.incrementAndGet();
            throw new AssertionError("the form was read for a caller who may not see it");
        });
        for (String path : List.of("Consent/" + id, "Consent/" + id + "/_history/1",
                "Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P5", "Consent/" + id + "/_history")) {
            var response = http.get(path);
            assertEquals(200, response.statusCode(), path + ": " + response.body());
            var resource = org.photobridge.fhir.FhirContexts.r4().newJsonParser().parseResource(response.body());
            Consent consent = resource instanceof Bundle bundle ? (Consent) bundle.getEntryFirstRep().getResource()
                    : (Consent) resource;
            assertFalse(consent.getSourceAttachment().hasData(), path);
            assertNotNull(consent.getSourceAttachment().getExtensionByUrl(ConsentCodes.FORM_WITHHELD), path);
            assertEquals(ConsentValidator.sha256Hex(ConsentFixtures.signedFormBytes()),
                    consent.getSourceAttachment().getExtensionString(ConsentCodes.ATTACHMENT_SHA256), path);
        }
        assertEquals(0, reads.get());
    }

    @Test
    void aFormKeptApartIsServedAsItsStoredTextNotDecodedAndEncodedAgain() {
        var http = start(RecordingAccess.permitAll());
        String id = create(http, ConsentFixtures.allScopes("MRN-P6"));
        // Base64 with a line break (valid base64Binary): decoding and encoding it again would drop the break.
        String stored = Base64.getMimeEncoder(8, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(ConsentFixtures.signedFormBytes());
        assertTrue(stored.contains("\n"));
        var reads = new AtomicInteger();
        fhir.server().repository().keepFormApart(id, () -> {
            reads.incrementAndGet();
            return stored;
        });
        var read = http.get("Consent/" + id);
        assertEquals(200, read.statusCode(), read.body());
        assertTrue(read.body().contains("\"data\":" + quoted(stored)), read.body());
        assertArrayEquals(ConsentFixtures.signedFormBytes(),
                FhirHttp.parse(Consent.class, read).getSourceAttachment().getData());
        var searched = http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P6");
        assertEquals(200, searched.statusCode(), searched.body());
        assertTrue(searched.body().contains("\"data\":" + quoted(stored)), searched.body());
        assertEquals(2, reads.get());
        // A page HAPI writes (XML; the JSON one is written from stored text) reads each form once as well.
        var xml = http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P6&_format=xml");
        assertEquals(200, xml.statusCode(), xml.body());
        assertTrue(xml.body().contains("<data value=\""), xml.body());
        assertEquals(3, reads.get());
    }

    @Test
    void aSearchPageThatCannotBeBuiltIsNotAuditedAsServed() {
        var access = RecordingAccess.permitAll();
        var http = start(access);
        String id = create(http, ConsentFixtures.allScopes("MRN-P7"));
        fhir.server().repository().keepFormApart(id, () -> {
            throw new IllegalStateException("test: the stored form failed its integrity check");
        });
        var searched = http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-P7");
        assertEquals(500, searched.statusCode(), searched.body());
        assertFalse(searched.body().contains("\"data\""), searched.body());
        assertTrue(access.audited().stream().noneMatch(a -> a.action() == AuditAction.PATIENT_QUERY),
                access.audited().toString());
    }

    @Test
    void changesAreRefusedWhenThePortSaysSoAndNothingIsStored() {
        var access = RecordingAccess.permitAll().denyConsentChanges();
        var http = start(access);
        String id = create(http, ConsentFixtures.clinicalCareOnly("MRN-P3"));
        var withdrawn = ConsentFixtures.clinicalCareOnly("MRN-P3");
        withdrawn.setId(id);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        int before = fhir.server().repository().versionCount();
        forbidden(http.put("Consent/" + id, FhirHttp.json(withdrawn)), "consent changes denied");
        // A new consent that denies is a change too.
        var deny = ConsentFixtures.skeleton("MRN-P3");
        deny.getProvision().setType(Consent.ConsentProvisionType.DENY);
        forbidden(http.post("Consent", FhirHttp.json(deny)), "consent changes denied");
        assertEquals(before, fhir.server().repository().versionCount());
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
        assertEquals(1, fhir.server().repository().latest(id).orElseThrow().version().version());
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
