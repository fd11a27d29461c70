package org.photobridge.gateway.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.BreakGlassGrants;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Break-the-glass with real tokens: a dermatology clinician opens a plastic-surgery photo only after
 * giving a reason, for the configured time, never for export, and compliance sees the grant.
 */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BreakGlassTest {
    private static final String OUTSIDER = "derm.consultant";
    private static final String REASON = "patient in ED with wound dehiscence, plastics on-call unreachable";

    @Inject
    AuditLog audit;

    @Inject
    BreakGlassGrants grants;

    private PhotoFixtures.Photo photo;

    @BeforeEach
    void photo() {
        if (photo == null) {
            photo = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "40983000");
        }
    }

    private static io.restassured.specification.RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user));
    }

    private static Response breakGlass(String user, String photoId, String body) {
        return as(user).contentType("application/json").body(body).post("/api/v1/photos/" + photoId + "/break-glass");
    }

    @Test
    void withoutAReasonTheGlassStaysWhole() {
        var photo = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "40983000");
        for (String body : List.of("", "{}", "{\"reason\": \"\"}", "{\"reason\": \"   \"}", "{\"reason\": \"because\"}",
                "{\"reason\": 42}", "not json", "{\"reason\": \"" + "x".repeat(501) + "\"}")) {
            Response r = breakGlass(OUTSIDER, photo.id(), body);
            assertEquals(400, r.statusCode(), body + ": " + r.asString());
            assertEquals("urn:photobridge:problem:invalid-request", r.path("type"));
            assertEquals("reason", r.path("field"));
        }
        as(OUTSIDER).get("/api/v1/photos/" + photo.id() + "/thumbnail").then().statusCode(404);
        as(OUTSIDER).get("/api/v1/photos/" + photo.id()).then().statusCode(404);
    }

    @Test
    void aClinicianWhoGivesAReasonViewsThePhotoForAnHour() {
        as(OUTSIDER).get("/api/v1/photos/" + photo.id() + "/rendered").then().statusCode(404);
        Response granted = breakGlass(OUTSIDER, photo.id(), "{\"reason\": \"" + REASON + "\"}");
        granted.then().statusCode(201);
        Instant from = Instant.parse(granted.path("grantedAt"));
        Instant until = Instant.parse(granted.path("expiresAt"));
        assertEquals(Duration.ofMinutes(60), Duration.between(from, until), "the default duration");
        assertEquals(REASON, granted.path("reason"));
        assertEquals(photo.id(), granted.path("photoId"));

        as(OUTSIDER).get("/api/v1/photos/" + photo.id() + "/thumbnail").then().statusCode(200)
                .contentType("image/jpeg");
        as(OUTSIDER).get("/api/v1/photos/" + photo.id()).then().statusCode(200)
                .body("breakGlassUntil", org.hamcrest.Matchers.notNullValue());
        // A grant opens the chart view, never an export or an operator action.
        as(OUTSIDER).get("/api/v1/photos/" + photo.id() + "/export?purpose=teaching").then().statusCode(404);
        // The grant is the clinician's own: a colleague of the same department still sees nothing.
        as("derm.photographer").get("/api/v1/photos/" + photo.id() + "/thumbnail").then().statusCode(404);
        // Every door asks the same policy: the DICOMweb door now lists the study to the grant's holder.
        assertEquals(1, as(OUTSIDER).accept("application/dicom+json").get("/dicomweb/studies?PatientID=" + photo.mrn())
                .then().statusCode(200).extract().jsonPath().getList("$").size());

        var patient = Optional.of(new org.photobridge.domain.BusinessIdentifier(
                org.photobridge.fhir.testing.ConsentFixtures.PATIENT_SYSTEM, photo.mrn()));
        var trail = audit.search(new AuditQuery(patient, Optional.empty(), Optional.empty(),
                org.photobridge.fhir.DateRange.ANY, java.util.Set.of()), 0, 500).items();
        assertTrue(trail.stream().anyMatch(r -> r.action() == AuditAction.BREAK_GLASS && r.agentName().equals(OUTSIDER)
                && r.detail().contains(REASON)), "the grant is audited with its reason");
        assertTrue(trail.stream().anyMatch(r -> r.action() == AuditAction.PHOTO_VIEWED
                && r.agentName().equals(OUTSIDER) && r.detail().contains("under break-glass")), "so is each view");

        // Compliance lists the grant with the patient; nobody else may.
        Response list = as("compliance.officer").get("/api/v1/break-glass?active=true");
        list.then().statusCode(200).header("Cache-Control", "no-store");
        List<Map<String, Object>> listed = list.jsonPath().getList("grants");
        assertTrue(listed.stream().anyMatch(g -> photo.id().equals(g.get("photoId")) && OUTSIDER.equals(g.get("user"))
                && REASON.equals(g.get("reason")) && Boolean.TRUE.equals(g.get("active"))
                && photo.mrn().equals(((Map<?, ?>) g.get("patient")).get("value"))), listed.toString());
        for (String user : List.of(OUTSIDER, "plastics.surgeon", "gateway.admin", "derm.photographer")) {
            as(user).get("/api/v1/break-glass").then().statusCode(403);
        }
        given().get("/api/v1/break-glass").then().statusCode(401);
    }

    @Test
    void anExpiredGrantOpensNothing() {
        var photo = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "40983000");
        Response granted = breakGlass(OUTSIDER, photo.id(), "{\"reason\": \"" + REASON + "\"}");
        granted.then().statusCode(201);
        UUID photoId = UUID.fromString(photo.id());
        String subject = grants.findById(UUID.fromString(granted.path("id"))).subject;
        Instant until = Instant.parse(granted.path("expiresAt"));
        assertTrue(grants.activeUntil(subject, photoId, until.minusSeconds(1)).isPresent());
        assertEquals(Optional.empty(), grants.activeUntil(subject, photoId, until), "ends at expiresAt");
        assertEquals(Map.of(), grants.activeUntil(subject, List.of(photoId), until.plusSeconds(1)));
    }

    @Test
    void onlyCliniciansMayAskAndOnlyForPhotosTheyCannotSee() {
        // Refused before the lookup: the same 403 for a photo that exists and one that does not.
        for (String id : List.of(photo.id(), UUID.randomUUID().toString())) {
            for (String user : List.of("derm.photographer", "wound.nurse", "compliance.officer", "gateway.admin")) {
                Response r = breakGlass(user, id, "{\"reason\": \"" + REASON + "\"}");
                assertEquals(403, r.statusCode(), user + ": " + r.asString());
            }
        }
        breakGlass(OUTSIDER, UUID.randomUUID().toString(), "{\"reason\": \"" + REASON + "\"}").then().statusCode(404);
        breakGlass(OUTSIDER, "not-a-uuid", "{\"reason\": \"" + REASON + "\"}").then().statusCode(404);
        breakGlass("plastics.surgeon", photo.id(), "{\"reason\": \"" + REASON + "\"}").then().statusCode(409)
                .body("type", org.hamcrest.Matchers.equalTo("urn:photobridge:problem:break-glass-not-needed"));
        given().contentType("application/json").body("{\"reason\": \"" + REASON + "\"}")
                .post("/api/v1/photos/" + photo.id() + "/break-glass").then().statusCode(401);
    }

    @Test
    void aClinicianLearnsThatOtherDepartmentsHoldPhotosOthersDoNot() {
        PhotoFixtures.Photo other = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "40983000");
        Response list = as(OUTSIDER).urlEncodingEnabled(false).get("/api/v1/photos?patient=" + other.patientToken());
        list.then().statusCode(200).header("PhotoBridge-Withheld", "1");
        assertEquals(0, list.jsonPath().getList("$").size());
        Response withheld = as(OUTSIDER).urlEncodingEnabled(false)
                .get("/api/v1/photos?withheld=true&patient=" + other.patientToken());
        withheld.then().statusCode(200);
        assertEquals(List.of(other.id()), withheld.jsonPath().getList("id"));
        assertEquals(List.of("WITHHELD"), withheld.jsonPath().getList("status"));
        org.junit.jupiter.api.Assertions.assertNull(withheld.jsonPath().get("[0].bodySite"), "nothing of what the photo shows");
        // A photographer may not learn that other departments hold photos.
        Response nurse = as("wound.nurse").urlEncodingEnabled(false).get("/api/v1/photos?patient=" + other.patientToken());
        nurse.then().statusCode(200);
        assertEquals(null, nurse.getHeader("PhotoBridge-Withheld"));
        as("wound.nurse").urlEncodingEnabled(false).get("/api/v1/photos?withheld=true&patient=" + other.patientToken())
                .then().statusCode(403);
        // The department's own list carries what the gallery groups by.
        Response own = as("plastics.surgeon").urlEncodingEnabled(false).get("/api/v1/photos?patient=" + other.patientToken());
        own.then().statusCode(200).header("PhotoBridge-Withheld", "0")
                .body("[0].encounter.value", org.hamcrest.Matchers.equalTo("ENC-BG"))
                .body("[0].bodySite", org.hamcrest.Matchers.equalTo("40983000"))
                .body("[0].view", org.hamcrest.Matchers.equalTo("anterior"))
                .body("[0].takenAt", org.hamcrest.Matchers.equalTo("2026-11-20T10:11:12Z"));
    }
}
