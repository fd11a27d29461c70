package org.photobridge.fhir.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.consent.ConsentCodes;
import org.photobridge.fhir.consent.PatientLinker;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.FhirHttp;
import org.photobridge.fhir.testing.TestFhirServer;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.IResourceProvider;

/** The server as a whole: CapabilityStatement, our CodeSystem, and the role matrix of docs/fhir.md. */
class PhotoBridgeFhirServerTest {

    private static TestFhirServer server;
    private static String consentId;
    private static String consentJson;

    /** Stands in for the gateway's ImagingStudy provider; declares update so the test can show it is refused. */
    public static final class Studies implements IResourceProvider {
        @Override
        public Class<ImagingStudy> getResourceType() {
            return ImagingStudy.class;
        }

        @Read
        public ImagingStudy read(@IdParam IdType id) {
            var study = new ImagingStudy();
            study.setId(new IdType("ImagingStudy", id.getIdPart(), "1"));
            study.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
            return study;
        }

        @Search
        public List<ImagingStudy> search() {
            return List.of(read(new IdType("ImagingStudy", "s1")));
        }

        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam ImagingStudy study) {
            return new MethodOutcome(id);
        }
    }

    /** Stands in for the gateway's AuditEvent provider; declares update so the test can show it is refused. */
    public static final class Audit implements IResourceProvider {
        @Override
        public Class<AuditEvent> getResourceType() {
            return AuditEvent.class;
        }

        @Search
        public List<AuditEvent> search() {
            var event = new AuditEvent();
            event.setId(new IdType("AuditEvent", "a1", "1"));
            return List.of(event);
        }

        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam AuditEvent event) {
            return new MethodOutcome(id);
        }
    }

    @BeforeAll
    static void start() {
        server = TestFhirServer.start(PatientLinker.NONE, List.of(new Studies(), new Audit()));
        var created = server.client("photographer").create().resource(ConsentFixtures.allScopes("MRN-ROLES")).execute();
        consentId = created.getId().getIdPart();
        var consent = (Consent) created.getResource();
        consent.setIdElement(new IdType("Consent", consentId));
        consent.setMeta(null);
        consentJson = FhirHttp.json(consent);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static FhirHttp as(String... roles) {
        return new FhirHttp(server.baseUrl(), roles);
    }

    // --- CapabilityStatement ------------------------------------------------------------------------------

    private static CapabilityStatementRestResourceComponent resource(CapabilityStatement cs, String type) {
        return cs.getRestFirstRep().getResource().stream().filter(r -> r.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void capabilityStatementListsExactlyWhatConsentSupports() {
        HttpResponse<String> response = as().get("metadata");
        assertEquals(200, response.statusCode(), "metadata is open to any caller the container let in");
        var cs = FhirHttp.parse(CapabilityStatement.class, response);
        assertEquals("PhotoBridge", cs.getSoftware().getName());
        assertTrue(cs.getImplementation().getDescription().contains("consents"));

        var consent = resource(cs, "Consent");
        Set<String> interactions = consent.getInteraction().stream().map(i -> i.getCode().toCode()).collect(Collectors.toSet());
        assertEquals(Set.of("create", "read", "vread", "update", "history-instance", "history-type", "search-type"),
                interactions);
        assertTrue(consent.getConditionalCreate());
        Set<String> params = consent.getSearchParam().stream().map(p -> p.getName()).collect(Collectors.toSet());
        assertTrue(params.containsAll(Set.of("patient", "status", "purpose", "date", "data", "_lastUpdated")), params.toString());

        var codeSystem = resource(cs, "CodeSystem");
        assertEquals(Set.of("read", "search-type"), codeSystem.getInteraction().stream()
                .map(i -> i.getCode().toCode()).collect(Collectors.toSet()));
    }

    // --- CodeSystem -----------------------------------------------------------------------------------------

    @Test
    void codeSystemIsPublishedAtItsIdAndFoundByItsCanonicalUrl() {
        var read = as().get("CodeSystem/photo-consent-purpose");
        assertEquals(200, read.statusCode(), read.body());
        var cs = FhirHttp.parse(CodeSystem.class, read);
        assertEquals(ConsentCodes.PURPOSE_SYSTEM, cs.getUrl());
        assertEquals(CodeSystem.CodeSystemContentMode.COMPLETE, cs.getContent());
        assertEquals(Set.of("publication", "specific-use"), cs.getConcept().stream()
                .map(CodeSystem.ConceptDefinitionComponent::getCode).collect(Collectors.toSet()));
        assertTrue(cs.getConcept().stream().allMatch(c -> c.hasDefinition()));

        var byUrl = FhirHttp.parse(Bundle.class, as("clinician").get("CodeSystem?url=" + ConsentCodes.PURPOSE_SYSTEM));
        assertEquals(1, byUrl.getTotal());
        assertEquals("photo-consent-purpose", byUrl.getEntryFirstRep().getResource().getIdElement().getIdPart());
        assertEquals(0, FhirHttp.parse(Bundle.class, as("clinician").get("CodeSystem?url=http://example.org/cs")).getTotal());
        assertEquals(404, as().get("CodeSystem/other").statusCode());
    }

    // --- role matrix ----------------------------------------------------------------------------------------

    private static void forbidden(HttpResponse<String> response) {
        assertEquals(403, response.statusCode(), response.body());
        var outcome = FhirHttp.parse(OperationOutcome.class, response);
        assertEquals(OperationOutcome.IssueSeverity.ERROR, outcome.getIssueFirstRep().getSeverity());
    }

    private static String newConsent(String mrn) {
        return FhirHttp.json(ConsentFixtures.allScopes(mrn));
    }

    @Test
    void photographerAndClinicianRecordAndReadConsentsAndReadStudies() {
        for (String role : List.of("photographer", "clinician")) {
            var http = as(role);
            assertEquals(201, http.post("Consent", newConsent("MRN-" + role)).statusCode());
            assertEquals(200, http.put("Consent/" + consentId, consentJson).statusCode());
            assertEquals(200, http.get("Consent/" + consentId).statusCode());
            assertEquals(200, http.get("Consent/" + consentId + "/_history/1").statusCode());
            assertEquals(200, http.get("Consent?status=active").statusCode());
            assertEquals(200, http.get("ImagingStudy/s1").statusCode());
            assertEquals(200, http.get("ImagingStudy").statusCode());
            forbidden(http.get("AuditEvent"));
            forbidden(http.put("ImagingStudy/s1", "{\"resourceType\":\"ImagingStudy\",\"id\":\"s1\",\"status\":\"available\","
                    + "\"subject\":{\"reference\":\"Patient/1\"}}"));
        }
    }

    @Test
    void complianceOfficerReadsEverythingAndMayCorrectConsentsButNothingElse() {
        var http = as("compliance-officer");
        assertEquals(200, http.get("Consent/" + consentId).statusCode());
        assertEquals(200, http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-ROLES").statusCode());
        assertEquals(200, http.get("Consent/" + consentId + "/_history").statusCode());
        assertEquals(200, http.get("Consent/_history").statusCode());
        assertEquals(200, http.get("AuditEvent").statusCode());
        assertEquals(200, http.get("ImagingStudy/s1").statusCode());
        assertEquals(200, http.get("CodeSystem/photo-consent-purpose").statusCode());
        // Which consents compliance may change is the gateway's policy (asked through FhirAccess); the role gate lets it try.
        assertEquals(201, http.post("Consent", newConsent("MRN-CO")).statusCode());
        int before = server.repository().versionCount();
        forbidden(http.put("AuditEvent/a1", "{\"resourceType\":\"AuditEvent\",\"id\":\"a1\"}"));
        forbidden(http.put("ImagingStudy/s1", "{\"resourceType\":\"ImagingStudy\",\"id\":\"s1\",\"status\":\"available\","
                + "\"subject\":{\"reference\":\"Patient/1\"}}"));
        assertEquals(before, server.repository().versionCount());
    }

    @Test
    void callerWithoutRoleMaySeeOnlyTheCapabilityStatementAndTerminology() {
        var http = as();
        assertEquals(200, http.get("metadata").statusCode());
        forbidden(http.get("Consent/" + consentId));
        forbidden(http.get("Consent?status=active"));
        forbidden(http.get("Consent/" + consentId + "/_history"));
        forbidden(http.post("Consent", newConsent("MRN-NOROLE")));
        forbidden(http.get("ImagingStudy/s1"));
        forbidden(http.get("AuditEvent"));
        forbidden(as("patient", "admin").get("Consent/" + consentId));
    }

    @Test
    void nobodyDeletesConsents() {
        for (String role : List.of("photographer", "compliance-officer")) {
            int status = as(role).delete("Consent/" + consentId).statusCode();
            assertTrue(status == 405 || status == 403 || status == 400, role + " got " + status);
        }
        assertEquals(200, as("clinician").get("Consent/" + consentId).statusCode());
    }

    @Test
    void answersAreCompactJsonUnlessTheClientAsksForPrettyPrinting() {
        var compact = as("clinician").get("Consent/" + consentId);
        assertEquals(200, compact.statusCode(), compact.body());
        assertFalse(compact.body().contains("\n"), "no indentation by default");
        var pretty = as("clinician").get("Consent/" + consentId + "?_pretty=true");
        assertEquals(200, pretty.statusCode(), pretty.body());
        assertTrue(pretty.body().contains("\n  \"resourceType\": \"Consent\""), pretty.body());
        assertTrue(FhirHttp.parse(Consent.class, compact).equalsDeep(FhirHttp.parse(Consent.class, pretty)),
                "the same Consent either way");
    }

    @Test
    void pageLinksAreStatelessOffsets() {
        var http = as("clinician");
        for (int i = 0; i < 3; i++) {
            http.post("Consent", newConsent("MRN-PAGE"));
        }
        var first = FhirHttp.parse(Bundle.class,
                http.get("Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7CMRN-PAGE&_count=2"));
        String next = first.getLink(Bundle.LINK_NEXT).getUrl();
        assertTrue(next.contains("_offset=2"), next);
        var second = FhirHttp.parse(Bundle.class, http.get(next));
        assertEquals(1, second.getEntry().size());
        assertEquals(3, second.getTotal());
    }
}
