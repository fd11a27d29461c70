package org.photobridge.fhir.ehr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.ehrtest.EhrTestServer;
import org.photobridge.fhir.imaging.ImagingStudyMapper;
import org.photobridge.fhir.imaging.StudyView;

/** EhrClient against a second, independent HAPI server standing in for the EHR. */
class EhrClientTest {

    private static final BusinessIdentifier MRN = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0042");
    private static final BusinessIdentifier CONSENT_ID = new BusinessIdentifier("urn:photobridge:consent", "c-17");

    private EhrTestServer ehr;
    private EhrClient client;

    @BeforeEach
    void start() {
        ehr = new EhrTestServer().start();
        client = new EhrClient(EhrSettings.of(ehr.baseUrl()).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        ehr.stop();
    }

    /** A Consent as our server stores it: our id, our meta. */
    private static String consentJson(Consent.ConsentState status, boolean withIdentifier) {
        var consent = new Consent();
        consent.setId("c-17");
        consent.getMeta().setVersionId("3").setSource("urn:photobridge");
        consent.setStatus(status);
        consent.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
        consent.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", null)));
        consent.getPatient().setReference("Patient/1");
        if (withIdentifier) {
            consent.addIdentifier().setSystem(CONSENT_ID.system()).setValue(CONSENT_ID.value());
        }
        return FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
    }

    private static ImagingStudy study() {
        var series = new StudyView.SeriesView("2.25.1001", 1, "plastic-surgery", "76752008", Optional.of("Breast"), "L",
                List.of(new StudyView.InstanceView("2.25.1001.1", "1.2.840.10008.5.1.4.1.1.77.1.4", 1, Optional.empty(), List.of("dermatology"))));
        var view = new StudyView("s1", "2.25.100", MRN, Optional.of("Patient/1"),
                new BusinessIdentifier("urn:oid:1.2.3.4.6", "ENC-1"), Instant.parse("2026-11-20T10:11:12Z"), List.of(series));
        return new ImagingStudyMapper("https://pacs.example.org/dicom-web").toFhir(view);
    }

    @Test
    void resolvesTheOnePatientWithTheIdentifier() {
        ehr.seedPatient("urn:oid:9.9", MRN.value()); // same value, other system
        var id = ehr.seedPatient(MRN.system(), MRN.value());
        assertEquals(Optional.of("Patient/" + id), client.resolvePatient(MRN));
    }

    @Test
    void anAnswerOverTheBoundIsRefusedWithAClearErrorNotRetried() {
        ehr.seedPatient(MRN.system(), MRN.value());
        var small = new EhrClient(EhrSettings.of(ehr.baseUrl()).withMaxResponseBytes(200));

        var e = assertThrows(EhrRejectedException.class, () -> small.resolvePatient(MRN));

        assertTrue(e.getMessage().contains("larger than 200 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("max-response-bytes"), e.getMessage());
        assertFalse(e.getMessage().contains(MRN.value()), e.getMessage());
        assertTrue(client.resolvePatient(MRN).isPresent(), "the same answer within the default bound");
    }

    @Test
    void anAnswerDeclaringMoreThanTheBoundIsRefusedBeforeItsBodyIsRead() throws Exception {
        int declared = 64 << 20;
        var sent = new java.util.concurrent.atomic.AtomicLong();
        var server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
            exchange.sendResponseHeaders(200, declared);
            byte[] block = new byte[64 * 1024];
            java.util.Arrays.fill(block, (byte) ' ');
            try (var out = exchange.getResponseBody()) {
                for (long n = 0; n < declared; n += block.length) {
                    out.write(block);
                    sent.addAndGet(block.length);
                }
            } catch (java.io.IOException clientLeft) {
                // expected: the client drops the connection
            }
        });
        server.start();
        try {
            var bounded = new EhrClient(EhrSettings.of("http://127.0.0.1:" + server.getAddress().getPort() + "/fhir")
                    .withMaxResponseBytes(1 << 20));

            var e = assertThrows(EhrRejectedException.class, () -> bounded.resolvePatient(MRN));

            assertTrue(e.getMessage().contains("larger than " + (1 << 20) + " bytes"), e.getMessage());
        } finally {
            server.stop(0);
        }
        assertTrue(sent.get() < declared, "the client read the whole " + declared + "-byte answer");
    }

    @Test
    void unknownPatientResolvesToEmpty() {
        ehr.seedPatient(MRN.system(), "MRN-9999");
        assertEquals(Optional.empty(), client.resolvePatient(MRN));
    }

    @Test
    void twoPatientsWithTheIdentifierAreAmbiguousAndTheMessageHoldsNoMrn() {
        ehr.seedPatient(MRN.system(), MRN.value());
        ehr.seedPatient(MRN.system(), MRN.value());
        var e = assertThrows(AmbiguousPatientException.class, () -> client.resolvePatient(MRN));
        assertEquals(2, e.matches());
        assertFalse(e.getMessage().contains(MRN.value()));
    }

    @Test
    void publishingAConsentTwiceLeavesOneConsentInTheEhr() {
        var first = client.publishConsent(consentJson(Consent.ConsentState.ACTIVE, true), CONSENT_ID);
        assertTrue(first.created());
        var second = client.publishConsent(consentJson(Consent.ConsentState.INACTIVE, true), CONSENT_ID);
        assertFalse(second.created());
        assertEquals(first.reference(), second.reference());
        assertEquals(Optional.of("2"), second.version());

        assertEquals(1, ehr.consents().size());
        var stored = ehr.consents().get(0);
        assertEquals(Consent.ConsentState.INACTIVE, stored.getStatus());
        assertNotEquals("c-17", stored.getIdElement().getIdPart(), "our id is not the EHR's id");
        assertFalse("urn:photobridge".equals(stored.getMeta().getSource()), "our meta is not sent");
        assertEquals(2, ehr.requestCount("PUT Consent"));
        assertTrue(ehr.requests().stream().allMatch(r -> !r.path().contains("c-17")));
    }

    @Test
    void consentWithoutTheIdentifierGetsItSoRetriesMatch() {
        client.publishConsent(consentJson(Consent.ConsentState.ACTIVE, false), CONSENT_ID);
        client.publishConsent(consentJson(Consent.ConsentState.ACTIVE, false), CONSENT_ID);
        assertEquals(1, ehr.consents().size());
        assertEquals(CONSENT_ID.value(), ehr.consents().get(0).getIdentifierFirstRep().getValue());
    }

    @Test
    void publishingAnImagingStudyTwiceLeavesOneStudyWithItsEndpoint() {
        var first = client.publishImagingStudy(study(), "2.25.100");
        var json = FhirContexts.r4().newJsonParser().encodeResourceToString(study());
        var second = client.publishImagingStudy(json, "2.25.100");
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(1, ehr.imagingStudies().size());
        var stored = ehr.imagingStudies().get(0);
        assertEquals("urn:oid:2.25.100", stored.getIdentifierFirstRep().getValue());
        assertNotEquals("s1", stored.getIdElement().getIdPart());
        var endpoint = (Endpoint) stored.getContained().get(0);
        assertEquals("dicom-wado-rs", endpoint.getConnectionType().getCode());
        assertEquals("#wado", stored.getEndpointFirstRep().getReference());
        assertTrue(ehr.requests().stream().anyMatch(r -> r.method().equals("PUT")
                && r.query() != null && r.query().contains("urn%3Aoid%3A2.25.100")));
    }

    @Test
    void ehrDownIsUnavailableAndPublishingSucceedsOnceItIsBack() {
        ehr.pause();
        var down = assertThrows(EhrUnavailableException.class,
                () -> client.publishConsent(consentJson(Consent.ConsentState.ACTIVE, true), CONSENT_ID));
        assertEquals(0, down.statusCode());
        assertThrows(EhrUnavailableException.class, () -> client.resolvePatient(MRN));
        assertEquals(0, ehr.consents().size());

        ehr.resume();
        var result = client.publishConsent(consentJson(Consent.ConsentState.ACTIVE, true), CONSENT_ID);
        assertTrue(result.created());
        assertEquals(1, ehr.consents().size());
    }

    @Test
    void serverErrorsAreUnavailable() {
        ehr.failWith(503);
        var e = assertThrows(EhrUnavailableException.class, () -> client.publishImagingStudy(study(), "2.25.100"));
        assertEquals(503, e.statusCode());
        ehr.failWith(500);
        assertEquals(500, assertThrows(EhrUnavailableException.class, () -> client.resolvePatient(MRN)).statusCode());
        ehr.resume();
        assertTrue(client.publishImagingStudy(study(), "2.25.100").created());
    }

    @Test
    void invalidResourceIsRejectedWithTheEhrsDiagnosticsButNoContentInTheMessage() {
        var consent = FhirContexts.r4().newJsonParser().parseResource(Consent.class,
                consentJson(Consent.ConsentState.ACTIVE, true));
        consent.setStatus(null);
        consent.getPatient().setDisplay("Jane Doe");
        var json = FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
        var e = assertThrows(EhrRejectedException.class, () -> client.publishConsent(json, CONSENT_ID));
        assertEquals(422, e.statusCode());
        assertTrue(e.diagnostics().stream().anyMatch(d -> d.contains("Consent.status")), e.diagnostics().toString());
        assertTrue(e.getMessage().contains("422"));
        assertFalse(e.getMessage().contains("Jane"));
        assertEquals(0, ehr.consents().size());
    }

    @Test
    void bearerTokenIsSent() {
        ehr.requireBearerToken("s3cret-token");
        var withoutToken = assertThrows(EhrRejectedException.class, () -> client.resolvePatient(MRN));
        assertEquals(401, withoutToken.statusCode());

        var withToken = new EhrClient(EhrSettings.of(ehr.baseUrl()).withBearerToken("s3cret-token"));
        var id = ehr.seedPatient(MRN.system(), MRN.value());
        assertEquals(Optional.of("Patient/" + id), withToken.resolvePatient(MRN));
        assertEquals("Bearer s3cret-token", ehr.requests().get(ehr.requests().size() - 1).authorization());
    }

    @Test
    void twoEhrConsentsWithOneIdentifierRefuseTheConditionalUpdate() {
        // Someone else created duplicates in the EHR: a conditional update must not pick one.
        var raw = new EhrClient(EhrSettings.of(ehr.baseUrl()));
        raw.publishConsent(consentJson(Consent.ConsentState.ACTIVE, true), new BusinessIdentifier("urn:x", "1"));
        raw.publishConsent(consentJson(Consent.ConsentState.ACTIVE, true), new BusinessIdentifier("urn:x", "2"));
        assertEquals(2, ehr.consents().size()); // both carry CONSENT_ID as well
        var e = assertThrows(EhrRejectedException.class,
                () -> client.publishConsent(consentJson(Consent.ConsentState.INACTIVE, true), CONSENT_ID));
        assertEquals(412, e.statusCode());
    }
}
