package org.photobridge.fhir.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.ehrtest.Http;
import org.photobridge.fhir.ehrtest.JettyHost;

import ca.uhn.fhir.rest.server.RestfulServer;

/** The ImagingStudy provider hosted in a real HAPI RestfulServer, called over HTTP. */
class ImagingStudyResourceProviderTest {

    private static JettyHost host;
    private static String base;

    @BeforeAll
    static void start() {
        var source = new InMemoryStudySource().add(Studies.janeBreast()).add(Studies.johnWound())
                .add(Studies.janeAllWithdrawn());
        var server = new RestfulServer(FhirContexts.r4());
        server.registerProvider(new ImagingStudyResourceProvider(source, new ImagingStudyMapper(Studies.PACS), RecordingAccess.permitAll()));
        host = new JettyHost(server).start();
        base = host.baseUrl();
    }

    @AfterAll
    static void stop() {
        host.stop();
    }

    private static List<String> ids(String query) {
        var response = Http.get(base + "/ImagingStudy?" + query);
        assertEquals(200, response.statusCode(), response.body());
        var bundle = Http.parse(Bundle.class, response);
        return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).sorted().toList();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void readsStudyWithContainedWadoEndpoint() {
        var response = Http.get(base + "/ImagingStudy/s1");
        assertEquals(200, response.statusCode());
        var study = Http.parse(ImagingStudy.class, response);
        assertEquals("urn:oid:2.25.100", study.getIdentifierFirstRep().getValue());
        assertEquals("#wado", study.getEndpointFirstRep().getReference());
        var endpoint = (Endpoint) study.getContained().get(0);
        assertEquals("dicom-wado-rs", endpoint.getConnectionType().getCode());
        assertEquals(Studies.PACS, endpoint.getAddress());
    }

    @Test
    void unknownStudyIs404() {
        assertEquals(404, Http.get(base + "/ImagingStudy/nope").statusCode());
    }

    @Test
    void searchesByPatientLiteralReference() {
        assertEquals(List.of("s1", "s3"), ids("patient=Patient/77"));
        assertEquals(List.of("s1", "s3"), ids("patient=77"));
        assertEquals(List.of(), ids("patient=Patient/999"));
    }

    @Test
    void searchesByPatientIdentifier() {
        assertEquals(List.of("s2"), ids("patient:identifier=" + enc(Studies.JOHN.token())));
        assertEquals(List.of("s1", "s3"), ids("patient:identifier=" + enc(Studies.JANE.token())));
    }

    @Test
    void searchesByEncounterIdentifier() {
        assertEquals(List.of("s1"), ids("encounter:identifier=" + enc(Studies.ENC_118.token())));
        assertEquals(List.of("s2", "s3"), ids("encounter:identifier=" + enc(Studies.ENC_200.token())));
        assertEquals(List.of("s3"), ids("encounter:identifier=" + enc(Studies.ENC_200.token())
                + "&patient:identifier=" + enc(Studies.JANE.token())));
    }

    @Test
    void encounterByLiteralReferenceIsRefusedBecauseOnlyIdentifiersAreKnown() {
        var response = Http.get(base + "/ImagingStudy?encounter=Encounter/5");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("encounter:identifier"));
    }

    @Test
    void searchesByStudyInstanceUidToken() {
        assertEquals(List.of("s2"), ids("identifier=" + enc("urn:dicom:uid|urn:oid:2.25.200")));
        assertEquals(List.of("s2"), ids("identifier=" + enc("urn:oid:2.25.200")));
        assertEquals(List.of(), ids("identifier=" + enc("urn:other|urn:oid:2.25.200")));
        assertEquals(List.of(), ids("identifier=" + enc("urn:dicom:uid|urn:oid:2.25.999")));
    }

    @Test
    void pagesByOffsetWithTotal() {
        var source = new InMemoryStudySource().add(Studies.janeBreast()).add(Studies.johnWound())
                .add(Studies.janeAllWithdrawn());
        var server = new RestfulServer(FhirContexts.r4());
        server.setDefaultPageSize(1);
        server.registerProvider(new ImagingStudyResourceProvider(source, new ImagingStudyMapper(Studies.PACS), RecordingAccess.permitAll()));
        var paged = new JettyHost(server).start();
        try {
            for (var query : List.of("", "_count=2", "_offset=0")) {
                var ids = new java.util.ArrayList<String>();
                var bundle = Http.parse(Bundle.class, Http.get(paged.baseUrl() + "/ImagingStudy?" + query));
                int pages = 0;
                while (bundle != null && pages++ < 10) {
                    assertEquals(3, bundle.getTotal(), query);
                    bundle.getEntry().forEach(e -> ids.add(e.getResource().getIdElement().getIdPart()));
                    var next = bundle.getLink("next");
                    bundle = next == null ? null : Http.parse(Bundle.class, Http.get(next.getUrl()));
                }
                assertEquals(List.of("s1", "s2", "s3"), ids, query);
            }
        } finally {
            paged.stop();
        }
    }

    @Test
    void isReadOnly() {
        var json = FhirContexts.r4().newJsonParser()
                .encodeResourceToString(new ImagingStudyMapper(Studies.PACS).toFhir(Studies.johnWound()));
        assertTrue(Http.send("POST", base + "/ImagingStudy", json).statusCode() >= 400);
        assertTrue(Http.send("PUT", base + "/ImagingStudy/s2", json).statusCode() >= 400);
        assertTrue(Http.send("DELETE", base + "/ImagingStudy/s2", null).statusCode() >= 400);
        var capabilities = Http.parse(CapabilityStatement.class, Http.get(base + "/metadata"));
        var interactions = capabilities.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("ImagingStudy")).findFirst().orElseThrow()
                .getInteraction().stream().map(i -> i.getCode().toCode()).sorted().toList();
        assertEquals(List.of("read", "search-type"), interactions);
    }
}
