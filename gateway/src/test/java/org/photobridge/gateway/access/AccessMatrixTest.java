package org.photobridge.gateway.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The access matrix of docs/security.md, asked of the running gateway with real Keycloak tokens:
 * each demo user against each door, for a photo of their own department, of another department, and
 * a withdrawn one; consent changes by each role; and the audit entry each look leaves.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {
    private static final String DERM = "derm.photographer";
    private static final String DERM_MANAGER = "derm.consultant";
    private static final String SURGEON = "plastics.surgeon";
    private static final String NURSE = "wound.nurse";
    private static final String OFFICER = "compliance.officer";
    private static final String ADMIN = "gateway.admin";
    private static final List<String> USERS = List.of(DERM, DERM_MANAGER, SURGEON, NURSE, OFFICER, ADMIN);

    // Made once per class (and so once per database): every test reads them, none changes them.
    /** A patient with one photo, and the photo's ids. */
    record Fixture(String mrn, String photoId, String consentId, String sop) {
        String patientToken() {
            return ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn;
        }
    }

    private Fixture derm;
    private Fixture plastics;
    private Fixture withdrawn;

    @Inject
    AuditLog audit;

    @BeforeEach
    void photos() {
        if (derm != null) {
            return;
        }
        derm = fixture(DERM, "dermatology", "40983000");
        plastics = fixture(SURGEON, "plastic-surgery", "76752008");
        withdrawn = fixture(DERM, "dermatology", "40983000");
        Consent consent = parse(fhir(DERM_MANAGER).get("/fhir/Consent/" + withdrawn.consentId).asString());
        consent.setStatus(Consent.ConsentState.INACTIVE);
        fhir(DERM_MANAGER).body(json(consent)).put("/fhir/Consent/" + withdrawn.consentId).then().statusCode(200);
    }

    private static Fixture fixture(String photographer, String department, String bodySite) {
        String mrn = "MRN-AM-" + UUID.randomUUID();
        Consent consent = ConsentFixtures.withSignedForm(ConsentFixtures.teachingButNoMarketing(mrn),
                ConsentFixtures.signedFormBytes());
        Response created = fhir(photographer).body(json(consent)).post("/fhir/Consent");
        created.then().statusCode(201);
        String consentId = parse(created.asString()).getIdElement().getIdPart();
        String metadata = """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-AM"}},
                 "department": "%s", "accessTags": ["%s"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "%s"}, "laterality": "L"}"""
                .formatted(ConsentFixtures.PATIENT_SYSTEM, mrn, department, department, bodySite);
        Response accepted = given().auth().oauth2(Keycloak.token(photographer))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        accepted.then().statusCode(202);
        return new Fixture(mrn, accepted.path("id"), consentId, accepted.path("sopInstanceUid"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static io.restassured.specification.RequestSpecification fhir(String user) {
        return given().auth().oauth2(Keycloak.token(user)).contentType("application/fhir+json")
                .accept("application/fhir+json");
    }

    private static io.restassured.specification.RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user));
    }

    private static String json(Consent consent) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
    }

    private static Consent parse(String body) {
        return FhirContexts.r4().newJsonParser().parseResource(Consent.class, body);
    }

    private static Bundle bundle(Response response) {
        return FhirContexts.r4().newJsonParser().parseResource(Bundle.class, response.asString());
    }

    /** One door: what it asks of a fixture, as a user, answers this status. */
    record Door(String name, java.util.function.BiFunction<String, Fixture, Integer> call) {
    }

    private static final List<Door> PHOTO_DOORS = List.of(
            new Door("GET photo status", (u, f) -> as(u).get("/api/v1/photos/" + f.photoId).statusCode()),
            new Door("GET thumbnail", (u, f) -> as(u).get("/api/v1/photos/" + f.photoId + "/thumbnail").statusCode()),
            new Door("GET rendered", (u, f) -> as(u).get("/api/v1/photos/" + f.photoId + "/rendered").statusCode()),
            new Door("GET export teaching",
                    (u, f) -> as(u).get("/api/v1/photos/" + f.photoId + "/export?purpose=teaching").statusCode()),
            new Door("POST retry", (u, f) -> as(u).post("/api/v1/photos/" + f.photoId + "/retry").statusCode()));

    /**
     * Expected status per user for a photo of the dermatology department, a photo of plastic surgery,
     * and a withdrawn dermatology photo. 404 hides a photo the caller may not see; 409 is the
     * admin's retry with nothing failed; 403 photo-withdrawn tells a permitted viewer why.
     */
    private static final Map<String, Map<String, List<Integer>>> EXPECTED = Map.of(
            "GET photo status", Map.of(
                    DERM, List.of(200, 404, 200), DERM_MANAGER, List.of(200, 404, 200),
                    SURGEON, List.of(404, 200, 404), NURSE, List.of(404, 404, 404),
                    OFFICER, List.of(404, 404, 404), ADMIN, List.of(200, 200, 200)),
            "GET thumbnail", Map.of(
                    DERM, List.of(200, 404, 403), DERM_MANAGER, List.of(200, 404, 403),
                    SURGEON, List.of(404, 200, 404), NURSE, List.of(404, 404, 404),
                    OFFICER, List.of(404, 404, 404), ADMIN, List.of(404, 404, 404)),
            "GET rendered", Map.of(
                    DERM, List.of(200, 404, 403), DERM_MANAGER, List.of(200, 404, 403),
                    SURGEON, List.of(404, 200, 404), NURSE, List.of(404, 404, 404),
                    OFFICER, List.of(404, 404, 404), ADMIN, List.of(404, 404, 404)),
            "GET export teaching", Map.of(
                    DERM, List.of(404, 404, 404), DERM_MANAGER, List.of(200, 404, 403),
                    SURGEON, List.of(404, 200, 404), NURSE, List.of(404, 404, 404),
                    OFFICER, List.of(404, 404, 404), ADMIN, List.of(404, 404, 404)),
            "POST retry", Map.of(
                    DERM, List.of(403, 404, 403), DERM_MANAGER, List.of(403, 404, 403),
                    SURGEON, List.of(404, 403, 404), NURSE, List.of(404, 404, 404),
                    OFFICER, List.of(404, 404, 404), ADMIN, List.of(409, 409, 409)));

    @Test
    void photoDoorsFollowTheMatrix() {
        var mismatches = new ArrayList<String>();
        for (Door door : PHOTO_DOORS) {
            for (String user : USERS) {
                List<Integer> expected = EXPECTED.get(door.name()).get(user);
                List<Fixture> fixtures = List.of(derm, plastics, withdrawn);
                for (int i = 0; i < fixtures.size(); i++) {
                    int actual = door.call().apply(user, fixtures.get(i));
                    if (actual != expected.get(i)) {
                        mismatches.add(door.name() + " as " + user + " on " + List.of("own/derm", "plastics",
                                "withdrawn").get(i) + ": expected " + expected.get(i) + ", got " + actual);
                    }
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    @Test
    void photoListsShowOnlyTheCallersDepartments() {
        Function<String, Integer> listed = user -> as(user).urlEncodingEnabled(false)
                .get("/api/v1/photos?patient=" + derm.patientToken()).then().statusCode(200)
                .extract().jsonPath().getList("$").size();
        assertEquals(1, listed.apply(DERM));
        assertEquals(1, listed.apply(DERM_MANAGER));
        assertEquals(0, listed.apply(SURGEON));
        assertEquals(0, listed.apply(NURSE), "the decoy group /research/dermatology grants nothing");
        as(ADMIN).urlEncodingEnabled(false).get("/api/v1/photos?patient=" + derm.patientToken()).then()
                .statusCode(403);
        as(DERM_MANAGER).urlEncodingEnabled(false).get("/api/v1/exports?purpose=teaching&patient="
                + derm.patientToken()).then().statusCode(200);
        as(DERM).urlEncodingEnabled(false).get("/api/v1/exports?purpose=teaching&patient="
                + derm.patientToken()).then().statusCode(403);
    }

    @Test
    void fhirSearchesNeedANamedPatientExceptForCompliance() {
        for (String user : List.of(DERM, DERM_MANAGER, SURGEON, NURSE)) {
            for (String path : List.of("/fhir/Consent", "/fhir/Consent?status=active", "/fhir/Consent/_history",
                    "/fhir/ImagingStudy", "/fhir/Consent?_count=100&_offset=0")) {
                Response r = fhir(user).get(path);
                assertEquals(403, r.statusCode(), user + " " + path + ": " + r.asString());
                assertTrue(r.asString().contains("OperationOutcome"), r.asString());
            }
            fhir(user).get("/fhir/AuditEvent").then().statusCode(403);
        }
        for (String path : List.of("/fhir/Consent", "/fhir/Consent/_history", "/fhir/ImagingStudy",
                "/fhir/AuditEvent")) {
            fhir(OFFICER).get(path).then().statusCode(200);
        }
        fhir(ADMIN).get("/fhir/Consent?patient:identifier=" + derm.patientToken()).then().statusCode(403);
    }

    @Test
    void imagingStudiesAreCutToTheCallersDepartments() {
        Function<String, Integer> studies = user -> bundle(fhir(user).urlEncodingEnabled(false)
                .get("/fhir/ImagingStudy?patient:identifier=" + derm.patientToken()).then().statusCode(200)
                .extract().response()).getTotal();
        assertEquals(1, studies.apply(DERM));
        assertEquals(0, studies.apply(SURGEON), "another department's study is not returned nor counted");
        assertEquals(0, studies.apply(NURSE));
        assertEquals(1, studies.apply(OFFICER));
        Bundle seen = bundle(fhir(DERM).urlEncodingEnabled(false)
                .get("/fhir/ImagingStudy?patient:identifier=" + derm.patientToken()).then().extract().response());
        var study = (ImagingStudy) seen.getEntryFirstRep().getResource();
        assertEquals(1, study.getNumberOfInstances());
        var endpoint = (org.hl7.fhir.r4.model.Endpoint) study.getContained().get(0);
        assertTrue(endpoint.getAddress().endsWith("/dicomweb"), "viewers are sent to the gateway's door: "
                + endpoint.getAddress());
        String id = study.getIdElement().getIdPart();
        fhir(SURGEON).get("/fhir/ImagingStudy/" + id).then().statusCode(404);
        fhir(DERM).get("/fhir/ImagingStudy/" + id).then().statusCode(200);
    }

    @Test
    void signedFormsOnlyForThoseWhoManageConsent() {
        for (String user : List.of(DERM, NURSE)) {
            Consent read = parse(fhir(user).get("/fhir/Consent/" + derm.consentId).asString());
            assertFalse(read.getSourceAttachment().hasData(), user + " sees the form's bytes");
            assertTrue(read.getSourceAttachment().hasExtension(), "the hash is still shown to " + user);
        }
        for (String user : List.of(DERM_MANAGER, OFFICER)) {
            Consent read = parse(fhir(user).get("/fhir/Consent/" + derm.consentId).asString());
            assertTrue(read.getSourceAttachment().hasData(), user + " needs the form");
        }
    }

    @Test
    void consentIsChangedOnlyByThoseEntitled() {
        Consent current = parse(fhir(OFFICER).get("/fhir/Consent/" + derm.consentId).asString());
        String before = current.getMeta().getVersionId();
        Consent inactive = current.copy();
        inactive.setStatus(Consent.ConsentState.INACTIVE);
        for (String user : List.of(NURSE, DERM, SURGEON, ADMIN)) {
            Response r = fhir(user).body(json(inactive)).put("/fhir/Consent/" + derm.consentId);
            assertEquals(403, r.statusCode(), user + ": " + r.asString());
        }
        assertEquals(before, parse(fhir(OFFICER).get("/fhir/Consent/" + derm.consentId).asString()).getMeta()
                .getVersionId(), "nothing changed");
        as(DERM).get("/api/v1/photos/" + derm.photoId + "/thumbnail").then().statusCode(200);

        // A new consent that denies is a withdrawal: the same rule.
        Consent deny = ConsentFixtures.skeleton(derm.mrn);
        deny.getProvision().setType(Consent.ConsentProvisionType.DENY);
        fhir(NURSE).body(json(deny)).post("/fhir/Consent").then().statusCode(403);
        // Moving a consent to another patient is refused for everyone.
        Consent moved = current.copy();
        moved.getPatient().getIdentifier().setValue("MRN-SOMEONE-ELSE");
        fhir(DERM_MANAGER).body(json(moved)).put("/fhir/Consent/" + derm.consentId).then().statusCode(422);

        // The plastic surgery patient's consent: the derm consent manager may not, compliance may.
        Consent theirs = parse(fhir(OFFICER).get("/fhir/Consent/" + plastics.consentId).asString());
        theirs.getMeta().setVersionId(null);
        fhir(DERM_MANAGER).body(json(theirs)).put("/fhir/Consent/" + plastics.consentId).then().statusCode(403);
        fhir(OFFICER).body(json(theirs)).put("/fhir/Consent/" + plastics.consentId).then().statusCode(200);
        fhir(SURGEON).body(json(theirs)).put("/fhir/Consent/" + plastics.consentId).then().statusCode(200);
    }

    @Test
    void duplicateOfAnotherDepartmentsPhotoRevealsNothing() {
        byte[] same = TestImages.jpeg(TestImages.scene());
        String mrn = "MRN-DUP-" + UUID.randomUUID();
        for (String user : List.of(DERM, SURGEON)) {
            Consent consent = ConsentFixtures.clinicalCareOnly(mrn);
            fhir(user).body(json(consent)).post("/fhir/Consent").then().statusCode(201);
        }
        Function<String, String> metadata = department -> """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-DUP"}},
                 "department": "%s", "accessTags": ["%s"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "40983000"}, "laterality": "L"}"""
                .formatted(ConsentFixtures.PATIENT_SYSTEM, mrn, department, department);
        Function<String[], Response> upload = a -> as(a[0]).multiPart("file", "p.jpg", same, "image/jpeg")
                .multiPart("metadata", metadata.apply(a[1]), "application/json").post("/api/v1/photos");
        Response first = upload.apply(new String[] {DERM, "dermatology"});
        first.then().statusCode(202);
        Response again = upload.apply(new String[] {DERM, "dermatology"});
        again.then().statusCode(200);
        assertEquals((String) first.path("id"), again.path("id"), "a duplicate within the department answers with it");
        Response other = upload.apply(new String[] {SURGEON, "plastic-surgery"});
        other.then().statusCode(202);
        assertFalse(other.asString().contains((String) first.path("id")), "the other department's photo is not revealed");
        assertFalse(other.asString().contains((String) first.path("sopInstanceUid")));
    }

    @Test
    void everyLookLeavesAnAuditEntry() {
        var patient = Optional.of(new BusinessIdentifier(ConsentFixtures.PATIENT_SYSTEM, plastics.mrn));
        java.util.function.Supplier<List<AuditRecord>> trail = () -> audit.search(new AuditQuery(patient,
                Optional.empty(), Optional.empty(), org.photobridge.fhir.DateRange.ANY, java.util.Set.of()), 0, 500)
                .items();
        assertTrue(trail.get().stream().anyMatch(r -> r.action() == AuditAction.PHOTO_ACCEPTED
                && r.agentName().equals(SURGEON)), "capture is audited at acceptance with the photographer");
        int before = trail.get().size();
        as(SURGEON).get("/api/v1/photos/" + plastics.photoId).then().statusCode(200);
        fhir(SURGEON).get("/fhir/Consent/" + plastics.consentId).then().statusCode(200);
        fhir(SURGEON).urlEncodingEnabled(false).get("/fhir/Consent?patient:identifier=" + plastics.patientToken())
                .then().statusCode(200);
        as(NURSE).get("/api/v1/photos/" + plastics.photoId).then().statusCode(404);
        List<AuditRecord> after = trail.get().subList(0, trail.get().size() - before);
        assertTrue(after.stream().anyMatch(r -> r.action() == AuditAction.PATIENT_READ && r.agentName().equals(SURGEON)
                && r.entities().contains("urn:dicom:uid:" + plastics.sop)), "status read");
        assertTrue(after.stream().anyMatch(r -> r.action() == AuditAction.PATIENT_READ && r.agentName().equals(SURGEON)
                && r.entities().stream().anyMatch(e -> e.startsWith("Consent/" + plastics.consentId))), "consent read");
        assertTrue(after.stream().anyMatch(r -> r.action() == AuditAction.PATIENT_QUERY
                && r.agentName().equals(SURGEON)), "consent search");
        assertTrue(after.stream().anyMatch(r -> r.action() == AuditAction.ACCESS_DENIED && r.agentName().equals(NURSE)
                && !r.success()), "the nurse's attempt");
        fhir(OFFICER).get("/fhir/AuditEvent?_count=1").then().statusCode(200);
        assertTrue(audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.AUDIT_LOG_USED)), 0, 10).total().orElseThrow() > 0,
                "searching the audit trail is itself audited");
    }

    @Test
    void auditVerificationIsForComplianceOnly() {
        for (String user : USERS) {
            int expected = OFFICER.equals(user) ? 200 : 403;
            assertEquals(expected, as(user).get("/api/v1/audit/verification").statusCode(), user);
        }
        given().get("/api/v1/audit/verification").then().statusCode(401);
        as(OFFICER).get("/api/v1/audit/verification").then().body("intact", org.hamcrest.Matchers.equalTo(true));
    }

    @Test
    void theWorkQueueIsForGatewayAdministratorsOnly() {
        for (String user : USERS) {
            int expected = ADMIN.equals(user) ? 200 : 403;
            assertEquals(expected, as(user).get("/api/v1/work").statusCode(), user);
            // The destinations' last checks with their details (hosts, AE titles), which /q/health leaves out.
            assertEquals(expected, as(user).get("/api/v1/work/destinations").statusCode(), user);
            // Refused before the item is looked up: a non-admin learns nothing about which ids exist.
            int retry = ADMIN.equals(user) ? 404 : 403;
            assertEquals(retry, as(user).post("/api/v1/work/" + UUID.randomUUID() + "/retry").statusCode(), user);
        }
        given().get("/api/v1/work").then().statusCode(401);
        given().get("/api/v1/work/destinations").then().statusCode(401);
        given().post("/api/v1/work/" + UUID.randomUUID() + "/retry").then().statusCode(401);
        var listed = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.WORK_QUEUE_READ)), 0, 50).items();
        assertTrue(listed.stream().anyMatch(r -> r.agentName().equals(ADMIN) && r.success()), "listing is audited");
        assertTrue(listed.stream().anyMatch(r -> r.agentName().equals(ADMIN) && r.detail().startsWith("destinations checked")),
                "the destination check is audited");
        var refused = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.ACCESS_DENIED)), 0, 500).items();
        assertTrue(refused.stream().anyMatch(r -> r.agentName().equals(NURSE) && r.detail().startsWith("work queue")),
                "a refusal is audited");
    }

    @Test
    void storeReencryptionIsForGatewayAdministratorsOnly() {
        for (String user : USERS) {
            int expected = ADMIN.equals(user) ? 200 : 403;
            assertEquals(expected, as(user).get("/api/v1/store/re-encryption").statusCode(), user);
            if (!ADMIN.equals(user)) {
                // Refused before anything starts (the admin's start is StoreSecurityTest's).
                assertEquals(403, as(user).post("/api/v1/store/re-encryption").statusCode(), user);
            }
        }
        given().get("/api/v1/store/re-encryption").then().statusCode(401);
        given().post("/api/v1/store/re-encryption").then().statusCode(401);
        var read = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.STORE_KEY_ROTATION)), 0, 50).items();
        assertTrue(read.stream().anyMatch(r -> r.agentName().equals(ADMIN) && r.detail().startsWith(
                "re-encryption progress read")), "a progress read is audited");
        var refused = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.ACCESS_DENIED)), 0, 500).items();
        assertTrue(refused.stream().anyMatch(r -> r.agentName().equals(NURSE)
                && r.detail().startsWith("re-encryption start refused")), "a refusal is audited");
    }

    @Test
    void dicomWebDoorAsksTheSamePolicy() {
        var query = "/dicomweb/studies?PatientID=" + derm.mrn;
        assertEquals(1, as(DERM).accept("application/dicom+json").get(query).then().statusCode(200).extract()
                .jsonPath().getList("$").size());
        for (String user : List.of(SURGEON, NURSE, OFFICER)) {
            var r = as(user).accept("application/dicom+json").get(query);
            assertTrue(r.statusCode() == 200 && r.jsonPath().getList("$").isEmpty()
                    || r.statusCode() == 204, user + ": " + r.statusCode() + " " + r.asString());
        }
        as(ADMIN).accept("application/dicom+json").get(query).then().statusCode(403);
        given().get(query).then().statusCode(401);
    }

    @Test
    void aClientChosenIdentifierCannotOverwriteAnotherPatientsConsentInTheEhr() throws InterruptedException {
        var ehr = org.photobridge.gateway.testing.EhrTestResource.ehr();
        String identifier = "FORM-" + UUID.randomUUID();
        String victim = "MRN-V-" + UUID.randomUUID();
        String other = "MRN-O-" + UUID.randomUUID();
        fhir(DERM).body(json(ConsentFixtures.withIdentifier(ConsentFixtures.clinicalCareOnly(victim), identifier)))
                .post("/fhir/Consent").then().statusCode(201);
        fhir(SURGEON).body(json(ConsentFixtures.withIdentifier(ConsentFixtures.clinicalCareOnly(other), identifier)))
                .post("/fhir/Consent").then().statusCode(201);
        long deadline = System.currentTimeMillis() + 60_000;
        java.util.function.Predicate<String> published = mrn -> ehr.consents().stream()
                .anyMatch(c -> mrn.equals(c.getPatient().getIdentifier().getValue()));
        while (!(published.test(victim) && published.test(other)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(300);
        }
        assertTrue(published.test(victim), "the first patient's consent is still in the EHR");
        assertTrue(published.test(other), "the second patient's consent is its own resource");
    }

    @Test
    void theCaptureComplianceAndAdministrationDoorsFollowTheMatrix() {
        // user -> expected status of: protocols, patient lookup, break-glass list, work summary,
        // break-glass on the plastic-surgery photo (clinicians outside its department only; 409 inside).
        Map<String, List<Integer>> expected = Map.of(
                DERM, List.of(200, 200, 403, 403, 403),
                DERM_MANAGER, List.of(200, 200, 403, 403, 201),
                SURGEON, List.of(200, 200, 403, 403, 409),
                NURSE, List.of(200, 200, 403, 403, 403),
                OFFICER, List.of(200, 200, 200, 403, 403),
                ADMIN, List.of(200, 403, 403, 200, 403));
        // A photo of its own: a grant on the shared plastic-surgery fixture would change the other rows.
        Fixture glass = fixture(SURGEON, "plastic-surgery", "40983000");
        var mismatches = new ArrayList<String>();
        for (String user : USERS) {
            List<Integer> actual = List.of(
                    as(user).get("/api/v1/protocols").statusCode(),
                    as(user).urlEncodingEnabled(false).get("/api/v1/patients?identifier=" + plastics.patientToken())
                            .statusCode(),
                    as(user).get("/api/v1/break-glass").statusCode(),
                    as(user).get("/api/v1/work/summary").statusCode(),
                    as(user).contentType("application/json").body("{\"reason\": \"access matrix: covering the ward round\"}")
                            .post("/api/v1/photos/" + glass.photoId + "/break-glass").statusCode());
            if (!actual.equals(expected.get(user))) {
                mismatches.add(user + ": expected " + expected.get(user) + ", got " + actual);
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        for (String path : List.of("/api/v1/protocols", "/api/v1/patients?identifier=urn:oid:1.2%7Cx", "/api/v1/break-glass",
                "/api/v1/work/summary")) {
            given().urlEncodingEnabled(false).get(path).then().statusCode(401);
        }
        var audited = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of(AuditAction.BREAK_GLASS, AuditAction.WORK_QUEUE_READ,
                        AuditAction.PATIENT_QUERY, AuditAction.AUDIT_LOG_USED)), 0, 500).items();
        assertTrue(audited.stream().anyMatch(r -> r.action() == AuditAction.BREAK_GLASS
                && r.agentName().equals(DERM_MANAGER)), "the grant");
        assertTrue(audited.stream().anyMatch(r -> r.action() == AuditAction.WORK_QUEUE_READ
                && r.detail().startsWith("work queue summary")), "the summary");
        assertTrue(audited.stream().anyMatch(r -> r.action() == AuditAction.PATIENT_QUERY
                && r.detail().startsWith("patient lookup")), "the lookup");
        assertTrue(audited.stream().anyMatch(r -> r.action() == AuditAction.AUDIT_LOG_USED
                && r.detail().startsWith("break-glass grants listed")), "the grant list");
    }
}
