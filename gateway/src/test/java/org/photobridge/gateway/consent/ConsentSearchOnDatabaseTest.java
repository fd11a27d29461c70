package org.photobridge.gateway.consent;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.DateRange;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.consent.ConsentCodes;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.persistence.ConsentVersions;
import org.photobridge.gateway.persistence.Consents;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.WorkItems;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Consent search over HTTP against the gateway's own database store (not an in-memory fake): each
 * parameter, nested purposes, status after withdrawal, paging with a correct total.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class ConsentSearchOnDatabaseTest {
    static final String OFFICER = "compliance.officer";
    static final String SURGEON = "plastics.surgeon";
    /** A care role that reads consents but may not see signed forms. */
    static final String PHOTOGRAPHER = "derm.photographer";
    static final String TREAT = "http://terminology.hl7.org/CodeSystem/v3-ActReason|TREAT";

    String mrn;
    List<String> ids;
    Instant before;

    @BeforeEach
    void fiveConsentsOfOnePatientAndOneOfAnother() throws InterruptedException {
        mrn = "MRN-S-" + UUID.randomUUID();
        before = Instant.now().minusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ids = new ArrayList<>();
        for (Consent consent : List.of(ConsentFixtures.clinicalCareOnly(mrn), ConsentFixtures.allScopes(mrn),
                ConsentFixtures.teachingButNoMarketing(mrn), ConsentFixtures.specificUse(mrn),
                ConsentFixtures.namingPhotos(mrn, "study-x", "2.25.12345"))) {
            var created = Fhir.create(SURGEON, consent);
            created.then().statusCode(201);
            ids.add(Fhir.idFrom(created));
        }
        Fhir.create(SURGEON, ConsentFixtures.allScopes("OTHER-" + mrn)).then().statusCode(201);
    }

    @Inject
    ConsentVersions versions;

    @Inject
    AuditLog audit;

    @Inject
    ConsentStore store;

    @Inject
    Consents consentRows;

    /**
     * A patient's terms (what consent decisions read: uploads, the viewer, DICOMweb, the FHIR door,
     * withdrawals) carry each Consent's own rules in order, and all the rules come from one scan of
     * consent_provision, not one per Consent (counted by PostgreSQL for this transaction).
     */
    @Test
    void aPatientsTermsReadTheRulesOfAllItsConsentsInOneQuery() {
        var patient = new BusinessIdentifier(ConsentFixtures.PATIENT_SYSTEM, mrn);
        QuarkusTransaction.requiringNew().run(() -> {
            long before = scansOfConsentProvisions();
            List<ConsentTerms> terms = store.termsOfPatient(patient);
            assertEquals(1, scansOfConsentProvisions() - before, "one scan of the rules for " + ids.size() + " Consents");
            assertEquals(Set.copyOf(ids), terms.stream().map(ConsentTerms::id).collect(Collectors.toSet()));
            int rules = 0;
            for (ConsentTerms each : terms) {
                assertEquals(store.termsOf(consentRows.findById(each.id())), each, "the terms read one Consent at a time");
                rules += each.provisions().size();
            }
            assertTrue(rules > ids.size(), "some Consents have more than one rule: " + rules);
        });
    }

    private static long scansOfConsentProvisions() {
        Object scans = Panache.getEntityManager().createNativeQuery("""
                select coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
                from pg_stat_xact_user_tables where relname = 'consent_provision'""").getSingleResult();
        return ((Number) scans).longValue();
    }

    @Inject
    WorkItems work;

    /**
     * The EHR's copy of a Consent carries its form, so its publication decrypts the form too: it must
     * have run before a test tampers with the form, or its alert would be counted as a reader's.
     */
    private void awaitPublished(String consentId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!QuarkusTransaction.requiringNew().call(() -> work.ofResource(WorkQueue.CONSENT, consentId)
                .map(item -> item.status == WorkItem.Status.DONE).orElse(true))) {
            assertTrue(Instant.now().isBefore(deadline), "the Consent's EHR publication is not done after 60 s");
            Thread.sleep(100);
        }
    }

    /**
     * A signed form is decrypted only for callers who may see forms, and its stored base64 is served as
     * it is; a tampered form is never served: those who may see it get an error and an alert, the
     * others the Consent without it, as always.
     */
    @Test
    void aTamperedFormIsNeverServedAndOnlyThoseWhoSeeFormsCauseItsDecryption() throws InterruptedException {
        String tampered = ids.get(1);
        String intact = ids.get(2);
        awaitPublished(tampered);
        String form = Base64.getEncoder().encodeToString(ConsentFixtures.signedFormBytes());
        Response read = Fhir.as(OFFICER).get("/fhir/Consent/" + intact);
        assertEquals(200, read.statusCode(), read.asString());
        assertEquals(form, read.jsonPath().getString("sourceAttachment.data"), "the stored base64, unchanged");

        // Another version's sealed form fails decryption here (it is bound to its own Consent and version).
        QuarkusTransaction.requiringNew().run(() -> versions.version(tampered, 1).orElseThrow().sourceForm =
                versions.version(intact, 1).orElseThrow().sourceForm);
        int alerts = alertsAbout(tampered);

        String byPatient = "/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5|" + mrn + "&_count=50";
        for (String path : List.of(byPatient, "/fhir/Consent/" + tampered, "/fhir/Consent/" + tampered + "/_history")) {
            Response withheld = Fhir.as(PHOTOGRAPHER).get(path);
            assertEquals(200, withheld.statusCode(), path + ": " + withheld.asString());
            assertFalse(withheld.asString().contains(form), path);
            assertTrue(withheld.asString().contains(ConsentCodes.FORM_WITHHELD), path);
        }
        assertEquals(alerts, alertsAbout(tampered), "no decryption for a caller who may not see forms");

        for (String path : List.of(byPatient, "/fhir/Consent/" + tampered)) {
            Response refused = Fhir.as(OFFICER).get(path);
            assertEquals(500, refused.statusCode(), path + ": " + refused.asString());
            assertFalse(refused.asString().contains(form), path);
        }
        assertEquals(alerts + 2, alertsAbout(tampered));
    }

    private int alertsAbout(String consentId) {
        return (int) audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), DateRange.ANY,
                Set.of(AuditAction.SECURITY_ALERT)), 0, 500).items().stream()
                .filter(r -> r.entities().contains("Consent/" + consentId + "/_history/1")).count();
    }

    private JsonPath search(String query) {
        return Fhir.as(OFFICER).get("/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5|" + mrn + "&" + query)
                .then().statusCode(200).extract().jsonPath();
    }

    private Set<String> idsOf(JsonPath bundle) {
        return new HashSet<>(bundle.getList("entry.resource.id", String.class));
    }

    @Test
    void searchesByEachParameterOnTheDatabase() {
        assertEquals(5, search("_count=50").getInt("total"));
        assertEquals(Set.of(ids.get(1), ids.get(2)),
                idsOf(search("purpose=http://terminology.hl7.org/CodeSystem/v3-ActReason|TRAIN")),
                "nested provisions count");
        assertEquals(Set.of(ids.get(1), ids.get(2)), idsOf(search("purpose=HMARKT")), "code without system");
        assertEquals(Set.of(ids.get(1), ids.get(2)), idsOf(search("purpose=|HMARKT")), "code, any system");
        assertEquals(0, search("purpose=http://example.org/other-system|HMARKT").getInt("total"),
                "a code in another system is another purpose");
        assertEquals(5, search("category=59284-0").getInt("total"), "category code without system");
        assertEquals(5, search("purpose=" + TREAT).getInt("total"));
        assertEquals(Set.of(ids.get(3)), idsOf(search(
                "purpose=http://photobridge.org/fhir/CodeSystem/photo-consent-purpose|specific-use")));
        assertEquals(Set.of(ids.get(4)), idsOf(search("data=ImagingStudy/study-x")));
        assertEquals(5, search("date=ge2026-11-20&date=le2026-11-21").getInt("total"));
        assertEquals(0, search("date=ge2026-11-21").getInt("total"));
        assertEquals(5, search("_lastUpdated=ge" + before).getInt("total"));
        assertEquals(0, search("status=inactive").getInt("total"));
    }

    @Test
    void withdrawalShowsInStatusSearchAndHistory() {
        Consent withdrawn = ConsentFixtures.allScopes(mrn);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        Fhir.update(SURGEON, ids.get(1), withdrawn).then().statusCode(200);
        assertEquals(Set.of(ids.get(1)), idsOf(search("status=inactive")));
        assertEquals(4, search("status=active").getInt("total"));
        assertEquals(5, search("status=active,inactive").getInt("total"), "either status (bound as a list)");
        assertEquals(Set.of(ids.get(1)), idsOf(search("status=inactive,rejected")));
        Fhir.as(OFFICER).get("/fhir/Consent/" + ids.get(1) + "/_history").then().statusCode(200)
                .body("total", equalTo(2));
        Fhir.as(OFFICER).get("/fhir/Consent/" + ids.get(1) + "/_history/1").then().statusCode(200)
                .body("status", equalTo("active"));
    }

    @Test
    void pagesCarryTheTrueTotalWhenAskedAndTogetherGiveEveryMatch() {
        for (String mode : List.of("&_total=accurate", "")) {
            JsonPath page = search("_count=2" + mode);
            var totals = new ArrayList<Object>();
            totals.add(page.get("total"));
            Set<String> seen = new HashSet<>(idsOf(page));
            var updated = new ArrayList<Instant>(lastUpdatedOf(page));
            String next = nextLink(page);
            while (next != null) {
                // Links arrive encoded already.
                page = Fhir.as(OFFICER).urlEncodingEnabled(false).get(next).then().statusCode(200).extract().jsonPath();
                totals.add(page.get("total"));
                seen.addAll(idsOf(page));
                updated.addAll(lastUpdatedOf(page));
                next = nextLink(page);
            }
            assertEquals(new HashSet<>(ids), seen, mode);
            assertEquals(ids.size(), updated.size(), "every match on exactly one page: " + mode);
            for (int i = 1; i < updated.size(); i++) {
                assertFalse(updated.get(i).isAfter(updated.get(i - 1)),
                        "most recently updated first, within and across pages: " + updated + mode);
            }
            // Counted on every page when asked; otherwise known (and given) only on the page that reaches the end.
            assertEquals(mode.isEmpty() ? Arrays.asList(null, null, 5) : List.of(5, 5, 5), totals, mode);
        }
    }

    private static List<Instant> lastUpdatedOf(JsonPath bundle) {
        return bundle.getList("entry.resource.meta.lastUpdated", String.class).stream()
                .map(t -> OffsetDateTime.parse(t).toInstant()).toList();
    }

    private static String nextLink(JsonPath bundle) {
        List<String> relations = bundle.getList("link.relation", String.class);
        int i = relations.indexOf("next");
        return i < 0 ? null : bundle.getList("link.url", String.class).get(i);
    }
}
