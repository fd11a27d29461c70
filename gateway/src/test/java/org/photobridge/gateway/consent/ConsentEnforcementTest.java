package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.ehrtest.EhrTestServer;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.EhrTestResource;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Consent from capture to withdrawal against real peers: Keycloak tokens, Orthanc as the PACS, and
 * a second HAPI FHIR server as the EHR.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class ConsentEnforcementTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String DERM = "derm.photographer";
    private static final String OFFICER = "compliance.officer";

    @Inject
    AuditLog audit;

    private static String metadata(String mrn) {
        return """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}, "name": "Doe^Jane"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-CONSENT"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(mrn);
    }

    private static Response upload(String mrn, byte[] jpeg) {
        return given().auth().oauth2(Keycloak.token(SURGEON)).multiPart("file", "p.jpg", jpeg, "image/jpeg")
                .multiPart("metadata", metadata(mrn), "application/json").post("/api/v1/photos");
    }

    private static Map<String, Object> photo(String id) {
        return given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id).then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    private static Response view(String user, String id, String what) {
        return given().auth().oauth2(Keycloak.token(user)).get("/api/v1/photos/" + id + "/" + what);
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void consentGovernsCaptureViewingExportAndWithdrawal() throws Exception {
        EhrTestServer ehr = EhrTestResource.ehr();
        String mrn = "MRN-C-" + UUID.randomUUID();
        String ehrPatient = ehr.seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);
        byte[] jpeg = TestImages.jpeg(TestImages.scene());

        upload(mrn, jpeg).then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:photobridge:problem:consent-required"));

        Consent given = ConsentFixtures.withSignedForm(ConsentFixtures.teachingButNoMarketing(mrn),
                ConsentFixtures.signedFormBytes());
        Response created = Fhir.create(SURGEON, given);
        created.then().statusCode(201);
        String consentId = Fhir.idFrom(created);
        Consent stored = Fhir.parse(Fhir.as(SURGEON).get("/fhir/Consent/" + consentId).asString());
        assertEquals("Patient/" + ehrPatient, stored.getPatient().getReference(), "linked to the EHR patient");

        Response accepted = upload(mrn, jpeg);
        accepted.then().statusCode(202);
        String id = accepted.path("id");
        String sop = accepted.path("sopInstanceUid");
        String studyUid = accepted.path("studyInstanceUid");
        await("the photo is stored", () -> "STORED".equals(photo(id).get("status")));
        // The signed form is kept apart from the stored JSON (sealed); the EHR's copy carries it all the same.
        await("the EHR holds the consent with its signed form", () -> ehr.consents().stream()
                .anyMatch(c -> mrn.equals(c.getPatient().getIdentifier().getValue())
                        && java.util.Arrays.equals(ConsentFixtures.signedFormBytes(), c.getSourceAttachment().getData())));

        Response thumbnail = view(SURGEON, id, "thumbnail");
        thumbnail.then().statusCode(200).contentType("image/jpeg");
        var image = ImageIO.read(new ByteArrayInputStream(thumbnail.asByteArray()));
        assertTrue(image.getWidth() <= 256 && image.getHeight() <= 256);
        view(SURGEON, id, "rendered").then().statusCode(200).contentType("image/jpeg");
        view(DERM, id, "thumbnail").then().statusCode(404);
        view(SURGEON, id, "export?purpose=teaching").then().statusCode(200);
        view(SURGEON, id, "export?purpose=marketing").then().statusCode(403)
                .body("type", equalTo("urn:photobridge:problem:consent-not-given"));

        // Withdrawing teaching alone keeps the photo in the chart but out of teaching exports.
        Fhir.update(SURGEON, consentId, ConsentFixtures.clinicalCareOnly(mrn)).then().statusCode(200);
        view(SURGEON, id, "thumbnail").then().statusCode(200);
        view(SURGEON, id, "export?purpose=teaching").then().statusCode(403);
        given().auth().oauth2(Keycloak.token(SURGEON)).queryParam("purpose", "teaching")
                .queryParam("patient", "urn:oid:1.2.3.4.5|" + mrn).get("/api/v1/exports")
                .then().statusCode(200).body("$", not(hasItem(id)));
        assertEquals("STORED", photo(id).get("status"));

        // Withdrawal of everything: status inactive.
        Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        Fhir.update(SURGEON, consentId, withdrawn).then().statusCode(200);
        assertEquals("WITHDRAWN", photo(id).get("status"));
        view(SURGEON, id, "thumbnail").then().statusCode(403)
                .body("type", equalTo("urn:photobridge:problem:photo-withdrawn"));
        await("both PACS destinations carried out their withdrawal action", () -> {
            List<Map<String, Object>> withdrawals = castList(photo(id).get("withdrawals"));
            return withdrawals != null && withdrawals.size() == 2
                    && withdrawals.stream().allMatch(w -> "DONE".equals(w.get("status")));
        });
        assertTrue(Orthanc.instancesWithSopUid(sop).isEmpty(), "delete action removed the photo from Orthanc");
        List<String> notes = Orthanc.rest().contentType("application/json")
                .body(Map.of("Level", "Series", "Query", Map.of("StudyInstanceUID", studyUid, "Modality", "KO")))
                .post(Orthanc.httpBase() + "/tools/find").then().statusCode(200).extract().jsonPath()
                .getList("$", String.class);
        assertEquals(1, notes.size(), "one IOCM rejection note stored in the photo's study");

        // History of the consent: created, teaching withdrawn, everything withdrawn.
        Fhir.as(OFFICER).get("/fhir/Consent/" + consentId + "/_history").then().statusCode(200)
                .body("total", equalTo(3));

        // The compliance officer reads the whole story through FHIR AuditEvent.
        Response events = Fhir.as(OFFICER).queryParam("patient:identifier", "urn:oid:1.2.3.4.5|" + mrn)
                .queryParam("_count", "100").get("/fhir/AuditEvent");
        events.then().statusCode(200);
        Set<String> subtypes = new HashSet<>(events.jsonPath().getList("entry.resource.subtype.code.flatten()"));
        assertTrue(subtypes.containsAll(Set.of("consent-created", "consent-updated", "consent-withdrawn",
                "photo-stored", "photo-viewed", "photo-exported", "access-denied", "photo-withdrawn")),
                "audit subtypes seen: " + subtypes);
        assertTrue(audit.verify().intact(), "the audit chain is intact");

        // The EHR got the consent once (updated in place) and the ImagingStudy without the withdrawn photo.
        await("the EHR holds the withdrawn consent and the emptied study", () ->
                ehr.consents().stream().anyMatch(c -> c.getStatus() == Consent.ConsentState.INACTIVE
                        && mrn.equals(c.getPatient().getIdentifier().getValue()))
                && ehr.imagingStudies().stream().anyMatch(s -> s.getIdentifierFirstRep().getValue().endsWith(studyUid)
                        && s.getNumberOfInstances() == 0));
        assertEquals(1, ehr.consents().stream().filter(c -> mrn.equals(c.getPatient().getIdentifier().getValue()))
                .count(), "retries and updates never duplicate the consent in the EHR");
        Consent inEhr = ehr.consents().stream().filter(c -> mrn.equals(c.getPatient().getIdentifier().getValue()))
                .findFirst().orElseThrow();
        assertEquals("Patient/" + ehrPatient, inEhr.getPatient().getReference());
    }

    @Test
    void ehrOutageDelaysPublicationButNeverBlocksConsentOrCapture() {
        EhrTestServer ehr = EhrTestResource.ehr();
        String mrn = "MRN-E-" + UUID.randomUUID();
        ehr.pause();
        String consentId;
        String studyUid;
        try {
            Response created = Fhir.create(SURGEON, ConsentFixtures.allScopes(mrn));
            created.then().statusCode(201);
            consentId = Fhir.idFrom(created);
            Response accepted = upload(mrn, TestImages.jpeg(TestImages.grayScene()));
            accepted.then().statusCode(202);
            studyUid = accepted.path("studyInstanceUid");
            await("the photo is stored while the EHR is down", () -> "STORED".equals(photo(accepted.path("id"))
                    .get("status")));
        } finally {
            ehr.resume();
        }
        await("the EHR receives the consent and the study once it is back", () ->
                ehr.consents().stream().anyMatch(c -> mrn.equals(c.getPatient().getIdentifier().getValue()))
                && ehr.imagingStudies().stream().anyMatch(s -> s.getIdentifierFirstRep().getValue().endsWith(studyUid)
                        && s.getNumberOfInstances() == 1 && s.getStatus() == ImagingStudy.ImagingStudyStatus.AVAILABLE));
        assertEquals(1, ehr.consents().stream().filter(c -> mrn.equals(c.getPatient().getIdentifier().getValue()))
                .count());
        assertFalse(consentId.isEmpty());

        // The gateway's own FHIR endpoint shows the encounter's study to EHR viewers, with its DICOMweb endpoint.
        var studies = Fhir.as(SURGEON).queryParam("patient:identifier", "urn:oid:1.2.3.4.5|" + mrn)
                .get("/fhir/ImagingStudy").then().statusCode(200).extract().jsonPath();
        assertEquals(1, studies.getInt("total"));
        assertEquals("urn:oid:" + studyUid, studies.getString("entry[0].resource.identifier[0].value"));
        assertEquals(1, studies.getInt("entry[0].resource.numberOfInstances"));
        assertEquals("dicom-wado-rs", studies.getString("entry[0].resource.contained[0].connectionType.code"));
        // Viewers are pointed at the gateway's own DICOMweb door, never at the PACS past the access policy.
        String address = studies.getString("entry[0].resource.contained[0].address");
        assertTrue(address.endsWith("/dicomweb"), address);
        assertFalse(address.startsWith(Orthanc.dicomWebBase()), address);
        Fhir.as(SURGEON).queryParam("patient:identifier", "urn:oid:1.2.3.4.5|" + mrn)
                .queryParam("encounter:identifier", "urn:oid:1.2.3.4.6|ENC-CONSENT")
                .queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/fhir/ImagingStudy")
                .then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void photoWithdrawnWhileThePacsIsDownNeverReachesIt() throws InterruptedException {
        String mrn = "MRN-D-" + UUID.randomUUID();
        Response created = Fhir.create(SURGEON, ConsentFixtures.clinicalCareOnly(mrn));
        created.then().statusCode(201);
        String sop;
        String id;
        Orthanc.stop();
        try {
            Response accepted = upload(mrn, TestImages.jpeg(TestImages.scene()));
            accepted.then().statusCode(202);
            id = accepted.path("id");
            sop = accepted.path("sopInstanceUid");
            await("the deliveries are being retried", () -> castList(photo(id).get("deliveries")).stream()
                    .allMatch(d -> "RETRYING".equals(d.get("status"))));
            Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
            withdrawn.setStatus(Consent.ConsentState.INACTIVE);
            Fhir.update(SURGEON, Fhir.idFrom(created), withdrawn).then().statusCode(200);
        } finally {
            Orthanc.start();
        }
        Map<String, Object> after = photo(id);
        assertEquals("WITHDRAWN", after.get("status"));
        for (Map<String, Object> delivery : castList(after.get("deliveries"))) {
            assertEquals("FAILED", delivery.get("status"), "no further attempt: " + delivery);
        }
        await("the local copy is purged", () -> Boolean.TRUE.equals(photo(id).get("bytesPurged")));
        Thread.sleep(3000); // several outbox ticks with the PACS back up
        assertTrue(Orthanc.instancesWithSopUid(sop).isEmpty(), "a withdrawn photo must never reach the PACS");
    }

    @Test
    void fhirRolesFollowTheRoleMatrixWithRealTokens() {
        String mrn = "MRN-R-" + UUID.randomUUID();
        given().get("/fhir/Consent").then().statusCode(401); // metadata is public (SMART discovery), the rest is not
        Fhir.as(DERM).get("/fhir/metadata").then().statusCode(200).body("resourceType", equalTo("CapabilityStatement"));
        Fhir.create("gateway.admin", ConsentFixtures.clinicalCareOnly(mrn)).then().statusCode(403);
        Response created = Fhir.create(DERM, ConsentFixtures.clinicalCareOnly(mrn));
        created.then().statusCode(201);
        Fhir.as(OFFICER).get("/fhir/Consent/" + Fhir.idFrom(created)).then().statusCode(200);
        Fhir.as(OFFICER).queryParam("patient:identifier", "urn:oid:1.2.3.4.5|" + mrn).get("/fhir/Consent")
                .then().statusCode(200).body("total", equalTo(1));
        Fhir.as(DERM).get("/fhir/AuditEvent").then().statusCode(403);
        Fhir.as(OFFICER).get("/fhir/AuditEvent").then().statusCode(200);
        Fhir.as(OFFICER).get("/fhir/ImagingStudy").then().statusCode(200);
        Fhir.as("gateway.admin").get("/fhir/Consent").then().statusCode(403);
        Fhir.as(OFFICER).contentType(Fhir.FHIR_JSON).body("{\"resourceType\":\"AuditEvent\"}")
                .post("/fhir/AuditEvent").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        Consent invalid = ConsentFixtures.clinicalCareOnly(mrn);
        invalid.getProvision().getProvisionFirstRep().getPurposeFirstRep().setCode("SELFIE");
        Fhir.create(DERM, invalid).then().statusCode(422).body("resourceType", equalTo("OperationOutcome"));
        assertEquals(Enumerations.PublicationStatus.ACTIVE.toCode(), Fhir.as(DERM)
                .get("/fhir/CodeSystem/photo-consent-purpose").then().statusCode(200).extract().path("status"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castList(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
