package org.photobridge.fhir.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.ehrtest.Http;
import org.photobridge.fhir.ehrtest.JettyHost;

import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;

/** The AuditEvent provider hosted in a real HAPI RestfulServer, called over HTTP. */
class AuditEventResourceProviderTest {

    private static JettyHost host;
    private static String base;

    @BeforeAll
    static void start() {
        var source = new InMemoryAuditSource();
        AuditRecords.trail().forEach(source::add);
        var server = new RestfulServer(FhirContexts.r4());
        server.registerProvider(new AuditEventResourceProvider(source, new AuditEventMapper(), RecordingAccess.permitAll()));
        host = new JettyHost(server).start();
        base = host.baseUrl();
    }

    @AfterAll
    static void stop() {
        host.stop();
    }

    private static Bundle search(String query) {
        var response = Http.get(base + "/AuditEvent?" + query);
        assertEquals(200, response.statusCode(), response.body());
        return Http.parse(Bundle.class, response);
    }

    /** Ids of the matches, in the server's order (newest first), across every page. */
    private static List<String> ids(String query) {
        var ids = new ArrayList<String>();
        var bundle = search(query);
        while (true) {
            bundle.getEntry().forEach(e -> ids.add(e.getResource().getIdElement().getIdPart()));
            var next = bundle.getLink("next");
            if (next == null) {
                return ids;
            }
            var response = Http.get(next.getUrl());
            assertEquals(200, response.statusCode(), response.body());
            bundle = Http.parse(Bundle.class, response);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void readsOneEvent() {
        var response = Http.get(base + "/AuditEvent/a8");
        assertEquals(200, response.statusCode());
        var event = Http.parse(AuditEvent.class, response);
        assertEquals("photo-withdrawn", event.getSubtypeFirstRep().getCode());
        assertEquals(404, Http.get(base + "/AuditEvent/zz").statusCode());
    }

    @Test
    void searchesByPatientIdentifier() {
        assertEquals(List.of("a9"), ids("patient:identifier=" + enc(AuditRecords.JOHN.token())));
        assertEquals(List.of("a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"),
                ids("patient:identifier=" + enc(AuditRecords.JANE.token())));
    }

    @Test
    void patientByLiteralReferenceIsRefusedWithAHint() {
        var response = Http.get(base + "/AuditEvent?patient=Patient/77");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("patient:identifier"));
    }

    @Test
    void searchesByEntityExactly() {
        assertEquals(List.of("a6"), ids("entity=" + enc("Consent/c1/_history/2")));
        assertEquals(List.of("a8", "a5", "a4", "a3", "a2"), ids("entity=" + enc(AuditRecords.PHOTO_UID)));
        assertEquals(List.of(), ids("entity=" + enc("Consent/c1")));
    }

    @Test
    void searchesByAgentSubject() {
        assertEquals(List.of("a4"), ids("agent=" + AuditRecords.OFFICER));
        assertEquals(List.of("a4"), ids("agent:identifier=" + enc("urn:photobridge:subject|" + AuditRecords.OFFICER)));
        assertEquals(List.of("a8"), ids("agent=photobridge"));
    }

    @Test
    void searchesByDate() {
        // a3 is 2026-11-04, a5 is 2026-11-06
        assertEquals(List.of("a5", "a4", "a3"), ids("date=ge2026-11-04&date=le2026-11-06"));
        assertEquals(List.of("a9"), ids("date=gt2026-11-09"));
        assertEquals(List.of("a4"), ids("date=2026-11-05"));
    }

    @Test
    void searchesByDicomTypeAndProjectSubtype() {
        assertEquals(List.of("a7", "a6", "a1"), ids("type=" + enc("http://dicom.nema.org/resources/ontology/DCM|110110")));
        assertEquals(List.of("a8", "a4", "a3"), ids("type=110103"));
        assertEquals(List.of("a9", "a5"), ids("type=110113,110106"));
        assertEquals(List.of("a7"), ids("subtype=" + enc("http://photobridge.org/fhir/CodeSystem/audit-action|consent-withdrawn")));
        assertEquals(List.of("a8"), ids("type=110103&subtype=photo-withdrawn"));
        assertEquals(List.of(), ids("type=110103&subtype=consent-created"));
        assertEquals(List.of(), ids("type=" + enc("urn:other|110110")));
    }

    @Test
    void combinesParameters() {
        assertEquals(List.of("a5", "a3", "a2"), ids("patient:identifier=" + enc(AuditRecords.JANE.token())
                + "&entity=" + enc(AuditRecords.PHOTO_UID) + "&agent=" + AuditRecords.DR_A + "&date=le2026-11-07"));
    }

    @Test
    void pagesWithTotalAndNextLinks() {
        var first = search("_count=4");
        assertEquals(9, first.getTotal());
        assertEquals(List.of("a9", "a8", "a7", "a6"),
                first.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList());
        assertNotNull(first.getLink("next"));
        var second = Http.parse(Bundle.class, Http.get(first.getLink("next").getUrl()));
        assertEquals(9, second.getTotal());
        assertEquals(List.of("a5", "a4", "a3", "a2"),
                second.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList());
        var third = Http.parse(Bundle.class, Http.get(second.getLink("next").getUrl()));
        assertEquals(List.of("a1"), third.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList());
        assertNull(third.getLink("next"));
        assertEquals(List.of("a9", "a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"), ids("_count=2"));
    }

    @Test
    void pagesThroughAHapiPagingProviderToo() {
        var source = new InMemoryAuditSource();
        AuditRecords.trail().forEach(source::add);
        var server = new RestfulServer(FhirContexts.r4());
        server.setPagingProvider(new FifoMemoryPagingProvider(10));
        server.registerProvider(new AuditEventResourceProvider(source, new AuditEventMapper(), RecordingAccess.permitAll()));
        var paged = new JettyHost(server).start();
        try {
            var first = Http.parse(Bundle.class, Http.get(paged.baseUrl() + "/AuditEvent?agent=" + AuditRecords.DR_A + "&_count=3"));
            assertEquals(7, first.getTotal());
            assertEquals(3, first.getEntry().size());
            var ids = new ArrayList<String>();
            var bundle = first;
            while (bundle != null) {
                bundle.getEntry().forEach(e -> ids.add(e.getResource().getIdElement().getIdPart()));
                var next = bundle.getLink("next");
                bundle = next == null ? null : Http.parse(Bundle.class, Http.get(next.getUrl()));
            }
            assertEquals(List.of("a9", "a7", "a6", "a5", "a3", "a2", "a1"), ids);
        } finally {
            paged.stop();
        }
    }

    @Test
    void offsetPagingFollowsTheServersDefaultPageSizeAndCount() {
        var source = new InMemoryAuditSource();
        AuditRecords.trail().forEach(source::add);
        var server = new RestfulServer(FhirContexts.r4());
        server.setDefaultPageSize(2);
        server.registerProvider(new AuditEventResourceProvider(source, new AuditEventMapper(), RecordingAccess.permitAll()));
        var limited = new JettyHost(server).start();
        try {
            var all = List.of("a9", "a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1");
            for (var query : List.of("", "_count=5", "_offset=0", "_offset=0&_count=5", "_count=1")) {
                var ids = new ArrayList<String>();
                var bundle = Http.parse(Bundle.class, Http.get(limited.baseUrl() + "/AuditEvent?" + query));
                int pages = 0;
                while (bundle != null && pages++ < 20) {
                    assertEquals(9, bundle.getTotal(), query);
                    int expectedPage = query.contains("_count=5") ? 5 : query.contains("_count=1") ? 1 : 2;
                    assertTrue(bundle.getEntry().size() <= expectedPage, query + " page of " + bundle.getEntry().size());
                    bundle.getEntry().forEach(e -> ids.add(e.getResource().getIdElement().getIdPart()));
                    var next = bundle.getLink("next");
                    bundle = next == null ? null : Http.parse(Bundle.class, Http.get(next.getUrl()));
                }
                assertEquals(all, ids, query);
            }
        } finally {
            limited.stop();
        }
    }

    @Test
    void totalCountsMatchesNotThePage() {
        var bundle = search("type=110103&_count=1");
        assertEquals(3, bundle.getTotal());
        assertEquals(1, bundle.getEntry().size());
    }

    @Test
    void cannotBeCreatedUpdatedOrDeleted() {
        var json = FhirContexts.r4().newJsonParser().encodeResourceToString(
                new AuditEventMapper().toFhir(AuditRecords.trail().get(0)));
        var post = Http.send("POST", base + "/AuditEvent", json);
        var put = Http.send("PUT", base + "/AuditEvent/a1", json);
        var delete = Http.send("DELETE", base + "/AuditEvent/a1", null);
        for (var response : List.of(post, put, delete)) {
            assertTrue(response.statusCode() == 405 || response.statusCode() == 400,
                    response.request().method() + " answered " + response.statusCode());
        }
        // and the trail is unchanged
        assertEquals("consent-created",
                Http.parse(AuditEvent.class, Http.get(base + "/AuditEvent/a1")).getSubtypeFirstRep().getCode());
        var capabilities = Http.parse(CapabilityStatement.class, Http.get(base + "/metadata"));
        var auditEvent = capabilities.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("AuditEvent")).findFirst().orElseThrow();
        assertEquals(List.of("read", "search-type"),
                auditEvent.getInteraction().stream().map(i -> i.getCode().toCode()).sorted().toList());
        var params = auditEvent.getSearchParam().stream().map(p -> p.getName()).sorted().toList();
        assertEquals(List.of("agent", "date", "entity", "patient", "subtype", "type"), params);
    }
}
