package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.server.PageSizeLimit;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * What an attacker sends to {@code /fhir}: bodies over the cap (declared or chunked), XML with a
 * DOCTYPE, external entities or entity expansion, JSON nested thousands deep, search values with SQL
 * in them, and pages larger than the server gives. Each is refused with an OperationOutcome, or
 * answered as the harmless value it is, and the server keeps working.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class FhirHostileInputTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String OFFICER = "compliance.officer";
    private static final String FHIR_JSON = "application/fhir+json";
    /** The default photobridge.http.fhir-max-body-size. */
    private static final int CAP = 4 * 1024 * 1024;

    // --- body size -----------------------------------------------------------------------------------

    @Test
    void declaredBodyOverTheCapGets413BeforeAnythingIsRead() throws Exception {
        var answer = send(Keycloak.token(SURGEON), consentPadded(CAP + 1), false);
        assertOutcome(answer, 413, OperationOutcome.IssueType.TOOLONG);
        assertTrue(answer.body().contains("fhir-max-body-size"), answer.body());
    }

    @Test
    void chunkedBodyOverTheCapGets413() throws Exception {
        var answer = send(Keycloak.token(SURGEON), consentPadded(CAP + 64 * 1024), true);
        assertOutcome(answer, 413, OperationOutcome.IssueType.TOOLONG);
    }

    @Test
    void chunkedBodyWithinTheCapIsServed() throws Exception {
        String mrn = "HOSTILE-" + UUID.randomUUID();
        byte[] consent = json(ConsentFixtures.clinicalCareOnly(mrn)).getBytes(StandardCharsets.UTF_8);
        var answer = send(Keycloak.token(SURGEON), consent, true);
        assertEquals(201, answer.statusCode(), answer.body());
        assertEquals(1, search(mrn).getTotal());
    }

    // --- XML -------------------------------------------------------------------------------------------

    @Test
    void xmlExternalEntityIsNeverResolved() throws Exception {
        String secret = "XXE-SECRET-" + UUID.randomUUID();
        Path file = Files.createTempFile("xxe", ".txt");
        Files.writeString(file, secret);
        String mrn = "HOSTILE-" + UUID.randomUUID();
        String xml = """
                <?xml version="1.0"?>
                <!DOCTYPE Consent [<!ENTITY xxe SYSTEM "%s">]>
                %s""".formatted(file.toUri(), consentXml(mrn).replace("CONSENT-TEXT", "&xxe;"));
        var answer = send(Keycloak.token(SURGEON), "application/fhir+xml", xml.getBytes(StandardCharsets.UTF_8), false);
        assertOutcome(answer, 400, OperationOutcome.IssueType.INVALID);
        assertFalse(answer.body().contains(secret), "the file's content never comes back");
        assertEquals(0, search(mrn).getTotal(), "nothing was stored");
        Files.deleteIfExists(file);
    }

    @Test
    void xmlEntityExpansionIsRefused() throws Exception {
        String mrn = "HOSTILE-" + UUID.randomUUID();
        var entities = new StringBuilder("<!ENTITY a0 \"lol\">");
        for (int i = 1; i <= 10; i++) {
            entities.append("<!ENTITY a").append(i).append(" \"").append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
        }
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE Consent [" + entities + "]>\n"
                + consentXml(mrn).replace("CONSENT-TEXT", "&a10;");
        var answer = send(Keycloak.token(SURGEON), "application/fhir+xml", xml.getBytes(StandardCharsets.UTF_8), true);
        assertOutcome(answer, 400, OperationOutcome.IssueType.INVALID);
        assertEquals(0, search(mrn).getTotal());
        // The same in UTF-16, where a byte-wise look for <!DOCTYPE would miss it: refused for its encoding.
        var utf16 = send(Keycloak.token(SURGEON), "application/fhir+xml;charset=UTF-16",
                xml.replace("<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
                        .getBytes(StandardCharsets.UTF_16), false);
        assertOutcome(utf16, 415, OperationOutcome.IssueType.INVALID);
        assertEquals(0, search(mrn).getTotal());
    }

    // --- JSON ------------------------------------------------------------------------------------------

    @Test
    void deeplyNestedJsonIsRefusedCleanly() throws Exception {
        int depth = 20_000;
        String nested = "{\"url\":\"http://example.org/x\",\"extension\":[".repeat(depth) + "]}".repeat(depth);
        String body = "{\"resourceType\":\"Consent\",\"status\":\"active\",\"extension\":[" + nested + "]}";
        var answer = send(Keycloak.token(SURGEON), body.getBytes(StandardCharsets.UTF_8), false);
        assertOutcome(answer, 400, OperationOutcome.IssueType.INVALID);
        assertTrue(answer.body().contains("nested deeper than"), answer.body());

        String arrays = "[".repeat(100_000) + "]".repeat(100_000);
        assertOutcome(send(Keycloak.token(SURGEON), arrays.getBytes(StandardCharsets.UTF_8), true), 400,
                OperationOutcome.IssueType.INVALID);
        // Brackets inside strings are text, not nesting: a consent whose text is full of them is accepted.
        String mrn = "HOSTILE-" + UUID.randomUUID();
        var consent = ConsentFixtures.clinicalCareOnly(mrn);
        consent.getText().setStatus(org.hl7.fhir.r4.model.Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + "[{".repeat(500) + "</div>");
        assertEquals(201, send(Keycloak.token(SURGEON), json(consent).getBytes(StandardCharsets.UTF_8), false)
                .statusCode());
        // The server is still there.
        given().auth().oauth2(Keycloak.token(OFFICER)).get("/fhir/Consent?status=active&_count=1").then().statusCode(200);
    }

    // --- SQL in search values --------------------------------------------------------------------------

    @Test
    void sqlInSearchValuesIsInert() {
        String mrn = "HOSTILE-" + UUID.randomUUID();
        given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON)
                .body(json(ConsentFixtures.clinicalCareOnly(mrn))).post("/fhir/Consent").then().statusCode(201);
        List<String> injections = List.of("x' OR '1'='1", "x'; DROP TABLE consent; --", "x\" OR 1=1 --",
                mrn + "' UNION SELECT * FROM audit_entry --", "%' OR patient_value LIKE '%");
        for (String injection : injections) {
            String value = URLEncoder.encode(injection, StandardCharsets.UTF_8);
            for (String query : List.of(
                    "/fhir/Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + value,
                    "/fhir/Consent?identifier=" + value,
                    "/fhir/AuditEvent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + value,
                    "/fhir/AuditEvent?entity=" + value,
                    "/fhir/ImagingStudy?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + value)) {
                Response answer = given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(OFFICER)).accept(FHIR_JSON).get(query);
                int status = answer.statusCode();
                assertTrue(status == 200 || status == 400, query + ": " + status + " " + answer.asString());
                if (status == 200) {
                    Bundle bundle = FhirContexts.r4().newJsonParser().parseResource(Bundle.class, answer.asString());
                    for (var entry : bundle.getEntry()) {
                        if (entry.getResource() instanceof OperationOutcome) {
                            continue;
                        }
                        // The only records found are the audit entries of this test's own searches for
                        // that very value: matched as a value, not run as SQL.
                        assertTrue(entry.getResource() instanceof org.hl7.fhir.r4.model.AuditEvent,
                                query + " matched a " + entry.getResource().fhirType());
                        String found = json(entry.getResource());
                        for (String part : injection.replace("\"", "\\\"").split(" ")) {
                            // (an entity search value with spaces is a sequence of entities)
                            assertTrue(found.contains(part), query + " matched an audit entry of another value: "
                                    + found);
                        }
                    }
                }
            }
        }
        // LIKE wildcards in an entity value match themselves, not every entry: the one entry found is
        // this search's own audit entry (recorded before the search runs), naming that literal value.
        for (String wildcard : List.of("%25", "_", "%25%20%25", "Consent/%25")) {
            String body = given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(OFFICER)).accept(FHIR_JSON)
                    .get("/fhir/AuditEvent?entity=" + wildcard).then().statusCode(200).extract().asString();
            var entries = FhirContexts.r4().newJsonParser().parseResource(Bundle.class, body).getEntry();
            assertTrue(entries.size() <= 1, "entity=" + wildcard + " matched " + entries.size() + " entries");
            String literal = java.net.URLDecoder.decode(wildcard, StandardCharsets.UTF_8);
            for (var entry : entries) {
                for (String part : literal.split(" ")) { // a value with spaces is a sequence of entities
                    assertTrue(json(entry.getResource()).contains("\"" + part + "\""),
                            "entity=" + wildcard + " matched " + json(entry.getResource()));
                }
            }
        }
                // The tables are all still there and the planted consent is found by its real value.
        assertEquals(1, search(mrn).getTotal());
    }

    // --- page size -------------------------------------------------------------------------------------

    @Test
    void auditEventPagesAreCappedAndLinksFollowTheCap() {
        // More than one capped page of audit entries: every search below is itself audited.
        for (int i = 0; i <= PageSizeLimit.MAX_COUNT; i++) {
            given().auth().oauth2(Keycloak.token(OFFICER)).get("/fhir/Consent?status=active&_count=1")
                    .then().statusCode(200);
        }
        for (String count : List.of("100000", "2147483648", "0000101")) {
            Response answer = given().auth().oauth2(Keycloak.token(OFFICER)).accept(FHIR_JSON)
                    .get("/fhir/AuditEvent?_count=" + count);
            assertEquals(200, answer.statusCode(), answer.asString());
            Bundle page = FhirContexts.r4().newJsonParser().parseResource(Bundle.class, answer.asString());
            assertEquals(PageSizeLimit.MAX_COUNT, page.getEntry().size(), "_count=" + count);
            String next = page.getLink(Bundle.LINK_NEXT).getUrl();
            assertTrue(next.contains("_count=" + PageSizeLimit.MAX_COUNT), next);
        }
        Response consents = given().auth().oauth2(Keycloak.token(OFFICER)).accept(FHIR_JSON)
                .get("/fhir/Consent?status=active&_count=100000");
        assertEquals(200, consents.statusCode(), consents.asString());
        assertTrue(FhirContexts.r4().newJsonParser().parseResource(Bundle.class, consents.asString()).getEntry().size()
                <= PageSizeLimit.MAX_COUNT);
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static Bundle search(String mrn) {
        String body = given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(OFFICER)).accept(FHIR_JSON)
                .get("/fhir/Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn)
                .then().statusCode(200).extract().asString();
        return FhirContexts.r4().newJsonParser().parseResource(Bundle.class, body);
    }

    private static HttpResponse<String> send(String token, byte[] body, boolean chunked)
            throws IOException, InterruptedException {
        return send(token, FHIR_JSON, body, chunked);
    }

    /** POSTs to /fhir/Consent with the JDK's client (RestAssured would pretty-print hostile bodies when a check fails). */
    private static HttpResponse<String> send(String token, String contentType, byte[] body, boolean chunked)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)) // no length: chunked
                : HttpRequest.BodyPublishers.ofByteArray(body);
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/fhir/Consent"))
                .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                .header("Accept", FHIR_JSON).POST(publisher).build();
        try {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("the gateway ended the connection without an answer", e);
        }
    }

    /** A Consent whose JSON is longer than {@code size} bytes (a long text field). */
    private static byte[] consentPadded(int size) {
        var consent = ConsentFixtures.clinicalCareOnly("HOSTILE-" + UUID.randomUUID());
        consent.getText().setStatus(org.hl7.fhir.r4.model.Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + "x".repeat(size) + "</div>");
        return json(consent).getBytes(StandardCharsets.UTF_8);
    }

    private static String consentXml(String mrn) {
        var consent = ConsentFixtures.clinicalCareOnly(mrn);
        // Element content (the narrative), where an XML parser would expand an entity.
        consent.getText().setStatus(org.hl7.fhir.r4.model.Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">CONSENT-TEXT</div>");
        return FhirContexts.r4().newXmlParser().encodeResourceToString(consent);
    }

    private static String json(org.hl7.fhir.r4.model.Resource resource) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(resource);
    }

    private static void assertOutcome(HttpResponse<String> answer, int status, OperationOutcome.IssueType code) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith(FHIR_JSON), answer.headers().toString());
        var outcome = FhirContexts.r4().newJsonParser().parseResource(OperationOutcome.class, answer.body());
        assertEquals(code, outcome.getIssueFirstRep().getCode(), answer.body());
    }
}
