package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.StoredAnswer;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.FhirHttp;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.testing.RunningFhirServer;
import org.photobridge.fhir.testing.TestFhirServer;

import ca.uhn.fhir.context.FhirContext;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A page of Consents answered in JSON is written from the stored JSON as text (ConsentAnswers,
 * StoredAnswer, AnswerParser); every other answer is HAPI's. The two must say the same thing in the
 * same order: each search's entries, as JSON, are compared with those of the XML answer to the same
 * search read and written again by HAPI as it ships ({@code FhirContext.forR4()}, which knows nothing
 * of stored answers), and with the {@code _pretty} answer (HAPI's own writer, after the placeholders
 * are put back). The corpus holds what the gateway stores: forms kept apart (shown and withheld), a
 * form still inside the JSON, meta, narrative, contained resources, extensions with decimals and
 * escapes, primitive extensions, a second version; and stored JSON that HAPI would change on the way
 * out (versioned references, a reference to this server by its URL, a member Consent does not have),
 * which must be left to HAPI.
 */
class ConsentAnswerTextTest {

    private static final FhirContext STOCK = FhirContext.forR4();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
    private static final String MRN = "MRN-TEXT";
    private static final String BY_PATIENT = "Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C"
            + MRN;

    private final ConsentMapper mapper = new ConsentMapper();
    @RegisterExtension
    final RunningFhirServer fhir = new RunningFhirServer();

    private FhirHttp start(RecordingAccess access) {
        return fhir.start(access);
    }

    /** Stores the Consent as the provider does: HAPI's JSON of it, without id and version meta. */
    private String store(Consent consent) {
        consent.setIdElement(null);
        consent.getMeta().setVersionId(null);
        consent.getMeta().setLastUpdated(null);
        return storeJson(consent, FhirContexts.r4().newJsonParser().encodeResourceToString(consent));
    }

    private String storeJson(Consent consent, String json) {
        return fhir.server().repository().create(mapper.toTerms(consent, null, 1), mapper.toSearchKeys(consent), json).id();
    }

    /**
     * Stores the corpus, every signed form kept apart as the gateway keeps it, and for callers who do not
     * see forms one still inside the JSON (one shown would send its page to HAPI); returns the id of the
     * Consent with a second version.
     */
    private String storeCorpus(FhirHttp http, boolean seesForms) {
        String form = Base64.getEncoder().encodeToString(ConsentFixtures.signedFormBytes());
        for (Consent consent : List.of(ConsentFixtures.clinicalCareOnly(MRN), ConsentFixtures.allScopes(MRN),
                ConsentFixtures.teachingButNoMarketing(MRN), ConsentFixtures.specificUse(MRN),
                ConsentFixtures.namingPhotos(MRN, "study-1", "1.2.826.0.1.3680043.2.1125.1"), rich())) {
            boolean hasForm = consent.getSourceAttachment().hasData();
            String id = store(consent);
            if (hasForm) {
                fhir.server().repository().keepFormApart(id, () -> form);
            }
        }
        if (!seesForms) {
            store(ConsentFixtures.allScopes(MRN));
        }
        // A second version, written through the API: history answers PUT and 200 OK for it.
        String updated = store(ConsentFixtures.clinicalCareOnly(MRN));
        var second = ConsentFixtures.clinicalCareOnly(MRN);
        second.setId(updated);
        second.getProvision().getProvisionFirstRep().getPeriod().setEndElement(
                new DateTimeType("2027-01-01T00:00:00Z"));
        assertEquals(200, http.put("Consent/" + updated, FhirHttp.json(second)).statusCode());
        return updated;
    }

    /** Meta, narrative, a contained resource, extensions with a decimal and escapes, a primitive extension. */
    private static Consent rich() {
        var c = ConsentFixtures.teachingButNoMarketing(MRN);
        c.getMeta().addProfile("http://example.org/StructureDefinition/photo-consent")
                .addSecurity(new Coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R", "restricted"))
                .addTag(new Coding("http://example.org/tags", "dermatology", "Dermatology"))
                .setSource("#capture-app");
        c.getText().setStatus(Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Consent &amp; photos</p></div>");
        var org = new Organization().setName("Plastic surgery, ward 7");
        org.setId("org1");
        c.addContained(org);
        c.addOrganization(new Reference("#org1"));
        c.addExtension("http://example.org/fhir/StructureDefinition/weight", new DecimalType(new BigDecimal("1.50")));
        c.addExtension("http://example.org/fhir/StructureDefinition/note",
                new StringType("caf\u00e9 \"quoted\" back\\slash\nline </script> \u2028"));
        c.getStatusElement().addExtension("http://example.org/fhir/StructureDefinition/status-source",
                new StringType("paper form"));
        return c;
    }

    private static List<String> searches(String consentId) {
        return List.of(BY_PATIENT, BY_PATIENT + "&_count=3&_offset=2", "Consent/_history",
                "Consent/" + consentId + "/_history");
    }

    /** The entries of a JSON answer, written compactly in the order they came. */
    private static String entries(String json) throws Exception {
        JsonNode entry = JSON.readTree(json).get("entry");
        return entry == null ? "[]" : JSON.writeValueAsString(entry);
    }

    /** The entries of the XML answer to the same search, read and written as JSON by HAPI as it ships. */
    private static String entriesViaXml(FhirHttp http, String search) throws Exception {
        var xml = http.getWith(search + (search.contains("?") ? "&" : "?") + "_format=xml");
        assertEquals(200, xml.statusCode(), xml.body());
        Bundle bundle = STOCK.newXmlParser().parseResource(Bundle.class, xml.body());
        return entries(STOCK.newJsonParser().encodeResourceToString(bundle));
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    @Test
    void everySearchAndHistoryPageSaysWhatHapiSaysForThoseWhoSeeForms() throws Exception {
        sameAsHapi(RecordingAccess.permitAll(), true);
    }

    @Test
    void everySearchAndHistoryPageSaysWhatHapiSaysForThoseFromWhomFormsAreWithheld() throws Exception {
        sameAsHapi(RecordingAccess.permitAll().withholdSignedForms(), false);
    }

    private void sameAsHapi(RecordingAccess access, boolean seesForms) throws Exception {
        var http = start(access);
        String updated = storeCorpus(http, seesForms);
        for (String search : searches(updated)) {
            long before = StoredAnswer.writtenAsStored();
            String answer = ok(http.get(search)).body();
            int count = JSON.readTree(answer).path("entry").size();
            assertTrue(count >= 2, search + ": " + answer);
            assertEquals(count, StoredAnswer.writtenAsStored() - before, search + ": every entry written as stored");
            String entries = entries(answer);
            assertEquals(entriesViaXml(http, search), entries, search);
            String pretty = ok(http.get(search + (search.contains("?") ? "&" : "?") + "_pretty=true")).body();
            assertEquals(entries(pretty), entries, search + " (_pretty)");
            assertEquals(count, StoredAnswer.writtenAsStored() - before, search + ": XML and _pretty are HAPI's");
        }
        String page = ok(http.get(BY_PATIENT)).body();
        assertEquals(seesForms, page.contains("\"data\":\""), page);
        assertEquals(!seesForms, page.contains(ConsentCodes.FORM_WITHHELD), page);
    }

    @Test
    void theAnswerIsWrittenFromTheStoredTextAndEveryOtherWayByHapi() throws Exception {
        var http = start(RecordingAccess.permitAll());
        var consent = ConsentFixtures.clinicalCareOnly(MRN);
        String json = FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
        // Stored with the patient's identifier in an order HAPI would not write; the same JSON otherwise.
        String system = "\"system\":\"" + ConsentFixtures.PATIENT_SYSTEM + "\"";
        String value = "\"value\":\"" + MRN + "\"";
        String reordered = json.replace(system + "," + value, value + "," + system);
        assertFalse(reordered.equals(json), json);
        storeJson(consent, reordered);

        String answer = ok(http.get(BY_PATIENT)).body();
        assertTrue(answer.contains(value + "," + system), answer);
        String pretty = ok(http.get(BY_PATIENT + "&_pretty=true")).body();
        assertTrue(pretty.replaceAll("\\s", "").contains(system + "," + value), pretty);
        String summary = ok(http.get(BY_PATIENT + "&_summary=true")).body();
        assertTrue(summary.contains("\"status\":\"active\"") && summary.contains(system + "," + value), summary);
        String elements = ok(http.get(BY_PATIENT + "&_elements=status")).body();
        assertTrue(elements.contains("\"status\":\"active\"") && !elements.contains("provision"), elements);
        String xml = ok(http.getWith(BY_PATIENT + "&_format=xml")).body();
        assertTrue(xml.contains("<provision>") && xml.contains("<status value=\"active\"/>"), xml);
    }

    @Test
    void storedJsonThatHapiWouldChangeOnTheWayOutIsLeftToHapi() throws Exception {
        // Forms withheld: a form inside the JSON shown to its caller is left to HAPI for that reason alone.
        var http = start(RecordingAccess.permitAll().withholdSignedForms());
        // Each alone on its patient's page: one Consent left to HAPI sends its whole page to HAPI.
        var versioned = ConsentFixtures.namingPhotos("MRN-V", "study-9", "1.2.3.9");
        String json = FhirContexts.r4().newJsonParser().encodeResourceToString(versioned)
                .replace("\"reference\":\"ImagingStudy/study-9\"", "\"reference\":\"ImagingStudy/study-9/_history/2\"");
        assertTrue(json.contains("/_history/2"), json);
        storeJson(versioned, json);
        var local = ConsentFixtures.clinicalCareOnly("MRN-L");
        local.addOrganization(new Reference(fhir.server().baseUrl() + "/Organization/ward-7"));
        store(local);
        var unknown = ConsentFixtures.clinicalCareOnly("MRN-U");
        storeJson(unknown, FhirContexts.r4().newJsonParser().encodeResourceToString(unknown)
                .replace("{\"resourceType\":\"Consent\",", "{\"resourceType\":\"Consent\",\"notAnElement\":7,"));

        for (String mrn : List.of("MRN-V", "MRN-L", "MRN-U")) {
            String search = "Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn;
            String answer = ok(http.get(search)).body();
            assertEquals(entriesViaXml(http, search), entries(answer), mrn);
            assertFalse(answer.contains("/_history/2") || answer.contains(fhir.server().baseUrl() + "/Organization")
                    || answer.contains("notAnElement"), answer);
        }
        assertTrue(ok(http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-V")).body()
                .contains("\"reference\":\"ImagingStudy/study-9\""));
        assertTrue(ok(http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-L")).body()
                .contains("\"reference\":\"Organization/ward-7\""));
    }

    @Test
    void theAnswerOfAStoredVersionIsHapisForEachKindOfSignedForm() {
        var consent = ConsentFixtures.allScopes(MRN);
        var parser = FhirContexts.r4().newJsonParser();
        String inJson = parser.encodeResourceToString(consent);
        consent.getSourceAttachment().setDataElement(null);
        String apart = parser.encodeResourceToString(consent);
        String form = Base64.getEncoder().encodeToString(ConsentFixtures.signedFormBytes());
        var at = Instant.parse("2026-12-05T01:02:03.456Z");

        var kept = new StoredVersion("k1", 3, at, apart, Optional.of(() -> form));
        String shown = ConsentAnswers.answer(kept, true, Optional.of(form), null).orElseThrow();
        assertTrue(shown.startsWith("{\"resourceType\":\"Consent\",\"id\":\"k1\",\"meta\":{\"versionId\":\"3\","
                + "\"lastUpdated\":\""), shown);
        assertTrue(shown.contains("\"data\":\"" + form + "\""), shown);
        String withheld = ConsentAnswers.answer(kept, false, Optional.empty(), null).orElseThrow();
        assertFalse(withheld.contains("\"data\"") || withheld.contains(form), withheld);
        assertTrue(withheld.contains("{\"url\":\"" + ConsentCodes.FORM_WITHHELD + "\",\"valueBoolean\":true}"), withheld);

        var inside = new StoredVersion("k2", 1, at, inJson);
        assertEquals(Optional.empty(), ConsentAnswers.answer(inside, true, Optional.empty(), null),
                "a form inside the JSON is decoded and encoded again by HAPI: left to it");
        assertFalse(ConsentAnswers.answer(inside, false, Optional.empty(), null).orElseThrow().contains("\"data\""));
        var noAttachment = new StoredVersion("k3", 1, at,
                parser.encodeResourceToString(ConsentFixtures.clinicalCareOnly(MRN)), Optional.of(() -> form));
        assertEquals(Optional.empty(), ConsentAnswers.answer(noAttachment, true, Optional.of(form), null),
                "a form kept apart without its attachment is an error HAPI's path reports");
        String relative = inJson.replace("\"url\":\"" + ConsentCodes.ATTACHMENT_SHA256,
                "\"url\":\"/StructureDefinition/sha256");
        assertFalse(relative.equals(inJson));
        assertEquals(Optional.empty(), ConsentAnswers.answer(new StoredVersion("k4", 1, at, relative), false,
                Optional.empty(), null), "an extension url relative to the server is made absolute by HAPI");
    }
}
