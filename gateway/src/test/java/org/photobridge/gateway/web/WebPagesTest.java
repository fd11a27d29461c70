package org.photobridge.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The pages under /web/ in a real browser (Debian's headless Chromium driven by playwright-core)
 * against this gateway and the test stack's real Keycloak: sign-in through Keycloak's own login
 * form with the authorization code flow and PKCE, then each page as its users use it. Every page
 * visited is also checked by axe-core, for keyboard reachability and for CSP violations, and
 * photographed at 390 and 1280 px under gateway/target/web-screenshots (pages.mjs).
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class WebPagesTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String PHOTOGRAPHER = "derm.photographer";
    private static final String CONSULTANT = "derm.consultant";
    private static final String OFFICER = "compliance.officer";
    private static final String ADMIN = "gateway.admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String redirectUri;

    @TestHTTPResource("/web/")
    URL web;

    @BeforeAll
    static void installBrowser() throws Exception {
        Browser.install();
    }

    /** The page's address (the random test port) as a redirect URI of the realm's photobridge-web client. */
    @BeforeEach
    void registerThePage() {
        redirectUri = WebClientRegistration.registerPage(web);
    }

    @AfterAll
    static void unregister() {
        WebClientRegistration.unregisterPages();
    }

    private static Map<String, Object> as(String user, Map<String, Object> more) {
        var input = new HashMap<String, Object>(more);
        input.put("user", user);
        input.put("password", WebClientRegistration.password(user));
        return input;
    }

    @Test
    void pagesAreServedWithAStrictContentSecurityPolicyAndNoCaching() {
        String policy = given().get("/web/").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .header("X-Frame-Options", "DENY")
                .extract().header("Content-Security-Policy");
        assertTrue(policy.contains("script-src 'self';"), policy);
        assertFalse(policy.contains("unsafe-inline"), policy);
        assertTrue(policy.contains("connect-src 'self' " + Keycloak.realmUrl().replaceAll("(https?://[^/]+).*", "$1")),
                "the token endpoint's origin is the only other place the page may call: " + policy);
        String page = given().get("/web/").then().extract().asString();
        assertFalse(page.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "no inline script in the page");
        given().get("/web/config.json").then().statusCode(200)
                .body("clientId", equalTo("photobridge-web"))
                .body("authorizationEndpoint", startsWith(Keycloak.realmUrl()))
                .body("tokenEndpoint", startsWith(Keycloak.realmUrl()));
    }

    @Test
    void capturesTheBreastFiveViewProtocolWithProgressAndRetryAndLeavesNothingInTheBrowser() throws Exception {
        String mrn = "WEB-CAP-" + UUID.randomUUID();
        String encounter = "ENC-CAP-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        List<String> images = WebTestData.photoFiles(Browser.WORK.resolve("images"), 5, 0);

        JsonNode report = Browser.run(redirectUri, "capture", as(SURGEON, Map.of("mrn", mrn, "encounter", encounter,
                "department", "plastic-surgery", "protocol", "breast-5-view", "images", images)));

        assertTrue(report.path("missingBefore").asText().startsWith("Missing 5 of 5: Frontal, Right oblique"),
                report.path("missingBefore").asText());
        assertTrue(report.path("failedRowText").asText().contains("Retry"), "a cut upload offers a retry");
        assertEquals("Complete: all 5 views uploaded", report.path("checklistStatus").asText());
        List<String> views = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode row : report.path("rows")) {
            views.add(row.path("view").asText());
            assertTrue(row.path("done").asBoolean(), row.toString());
            assertEquals(1.0, row.path("progress").asDouble(), "each row's own bar is full: " + row);
            assertEquals("Uploaded", row.path("state").asText());
            ids.add(row.path("photoId").asText());
        }
        assertEquals(List.of("anterior", "right-oblique", "right-lateral", "left-oblique", "left-lateral"), views);
        assertEquals(5, ids.size(), "five distinct photos");
        Set<String> progressed = new HashSet<>();
        report.path("progress").forEach(p -> progressed.add(p.path("view").asText()));
        assertEquals(Set.copyOf(views), progressed, "every view reported its own upload progress");

        for (String when : List.of("storageAfterCapture", "storageAfterGallery", "storageAfterSignOut")) {
            JsonNode storage = report.path(when);
            assertEquals(0, storage.path("localStorage").asInt(), when + ": " + storage);
            assertEquals(0, storage.path("sessionStorage").asInt(), when + ": " + storage);
            assertEquals(0, storage.path("indexedDb").asInt(), when + ": " + storage);
            assertEquals(0, storage.path("cacheStorage").asInt(), when + ": " + storage);
        }
        assertTrue(report.at("/afterSignOut/signInShown").asBoolean(), "signed out: " + report.path("afterSignOut"));

        JsonNode gallery = report.path("gallery");
        assertEquals(1, gallery.size(), "one encounter: " + gallery);
        assertTrue(gallery.at("/0/heading").asText().contains(encounter), gallery.toString());
        Set<String> shown = new HashSet<>();
        gallery.at("/0/photos").forEach(id -> shown.add(id.asText()));
        assertEquals(ids, shown, "the gallery shows the five photos captured");
        assertEquals(5, gallery.at("/0/loaded").asInt());
        assertEquals(5, gallery.at("/0/groups").size(), "grouped by body site and view: " + gallery);

        JsonNode listed = JSON.readTree(given().auth().oauth2(Keycloak.token(SURGEON))
                .queryParam("patient", WebTestData.PATIENT_SYSTEM + "|" + mrn).get("/api/v1/photos")
                .then().statusCode(200).extract().asString());
        Set<String> stored = new HashSet<>();
        for (JsonNode photo : listed.isArray() ? listed : listed.path("photos")) {
            stored.add(photo.path("view").asText() + "/" + photo.path("laterality").asText() + "/" + photo.path("protocol").asText());
            assertEquals("76752008", photo.path("bodySite").isObject() ? photo.at("/bodySite/code").asText()
                    : photo.path("bodySite").asText());
        }
        assertEquals(Set.of("anterior/B/breast-5-view", "right-oblique-45/R/breast-5-view", "right-lateral/R/breast-5-view",
                "left-oblique-45/L/breast-5-view", "left-lateral/L/breast-5-view"), stored,
                "each photo went up with its view's codes from the protocol");
    }

    @Test
    void aClinicianOfAnotherDepartmentBreaksTheGlassOnlyWithAReason() throws Exception {
        String mrn = "WEB-BG-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        var photo = WebTestData.upload(SURGEON, mrn, "ENC-BG", "plastic-surgery", "anterior", 50);

        JsonNode report = Browser.run(redirectUri, "breakglass", as(CONSULTANT, Map.of("mrn", mrn, "photoId", photo.id())));

        assertTrue(report.path("withheldNote").asText().contains("1 held by other departments"), report.toString());
        assertEquals("Give a reason to break the glass.", report.path("withoutReason").asText());
        assertTrue(report.path("shortReason").asText().toLowerCase().contains("reason"), report.toString());
        assertFalse(report.path("shownBeforeGrant").asBoolean(), "no photo without a grant");
        assertTrue(report.path("shownAfterGrant").asBoolean(), report.toString());
        JsonNode grants = JSON.readTree(given().auth().oauth2(Keycloak.token(OFFICER)).get("/api/v1/break-glass")
                .then().statusCode(200).extract().asString());
        int forThisPhoto = 0;
        for (JsonNode grant : grants.path("grants")) {
            if (photo.id().equals(grant.path("photoId").asText())) {
                forThisPhoto++;
                assertEquals(CONSULTANT, grant.path("user").asText());
                assertEquals("Emergency: patient in resuscitation, surgical site check", grant.path("reason").asText());
            }
        }
        assertEquals(1, forThisPhoto, "one grant, the one with a valid reason: " + grants);
    }

    @Test
    void consentIsCapturedWithTheChoicesTheSignatureAndThePhotosShown() throws Exception {
        String mrn = "WEB-C-" + UUID.randomUUID();
        String encounter = "ENC-WEB-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        var shown = List.of(WebTestData.upload(SURGEON, mrn, encounter, "plastic-surgery", "anterior", 20),
                WebTestData.upload(SURGEON, mrn, encounter, "plastic-surgery", "left-lateral", 21));

        JsonNode report = Browser.run(redirectUri, "consent",
                as(SURGEON, Map.of("mrn", mrn, "encounter", encounter, "photoCount", shown.size())));

        assertEquals("The patient has not signed yet.", report.path("unsignedMessage").asText());
        Set<String> reviewed = new HashSet<>();
        report.path("reviewPhotos").forEach(id -> reviewed.add(id.asText()));
        assertEquals(Set.of(shown.get(0).id(), shown.get(1).id()), reviewed, "the photos shown before confirmation");
        String id = report.path("consentId").asText();
        assertFalse(id.isEmpty(), report.toString());

        JsonNode consent = JSON.readTree(given().auth().oauth2(Keycloak.token(SURGEON)).accept(WebTestData.FHIR_JSON)
                .get("/fhir/Consent/" + id).then().statusCode(200).extract().asString());
        assertEquals("active", consent.path("status").asText());
        assertEquals(mrn, consent.at("/patient/identifier/value").asText());
        JsonNode form = consent.path("sourceAttachment");
        assertEquals("image/png", form.path("contentType").asText());
        byte[] png = Base64.getDecoder().decode(form.path("data").asText());
        assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII), "the signed form is a PNG");
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)),
                form.at("/extension/0/valueString").asText(), "the form's SHA-256 travels with it");
        List<String> purposes = new ArrayList<>();
        Set<String> data = new HashSet<>();
        for (JsonNode provision : consent.at("/provision/provision")) {
            provision.path("purpose").forEach(p -> purposes.add(p.path("code").asText()));
            provision.path("data").forEach(d -> data.add(d.at("/reference/identifier/value").asText()));
            if (provision.has("period")) {
                assertEquals("2027-03-01", provision.at("/period/start").asText());
                assertEquals("2027-03-31", provision.at("/period/end").asText());
            }
        }
        assertEquals(List.of("TREAT", "TRAIN", "publication", "specific-use"), purposes);
        assertEquals(Set.of("urn:oid:" + shown.get(0).sop(), "urn:oid:" + shown.get(1).sop()), data,
                "the teaching, publication and specific-use permits name the photos the patient saw");
    }

    @Test
    void beforeAndAfterShowsTheSameViewOfTwoEncountersSideBySide() throws Exception {
        String mrn = "WEB-BA-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        var before = WebTestData.upload(SURGEON, mrn, "ENC-PRE-" + UUID.randomUUID(), "plastic-surgery", "anterior", 30);
        var after = WebTestData.upload(SURGEON, mrn, "ENC-POST-" + UUID.randomUUID(), "plastic-surgery", "anterior", 31);

        JsonNode report = Browser.run(redirectUri, "compare",
                as(SURGEON, Map.of("mrn", mrn, "before", before.id(), "after", after.id())));

        JsonNode pair = report.path("pair");
        assertEquals(2, pair.size(), report.toString());
        assertEquals(before.id(), pair.at("/0/photoId").asText());
        assertEquals(after.id(), pair.at("/1/photoId").asText());
        assertEquals(pair.at("/0/top").asInt(), pair.at("/1/top").asInt(), "side by side, even at 390 px");
        assertTrue(pair.at("/0/left").asInt() < pair.at("/1/left").asInt(), "before on the left");
        assertEquals(480, pair.at("/0/width").asInt(), "the rendered photo, full size");
        assertEquals(640, pair.at("/0/height").asInt(), "upright: portrait stays portrait");
    }

    @Test
    void complianceSeesVerificationConsentVersionsAndThePatientsAuditTrail() throws Exception {
        String mrn = "WEB-CO-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        var photo = WebTestData.upload(SURGEON, mrn, "ENC-CO", "plastic-surgery", "anterior", 40);
        given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + photo.id() + "/thumbnail")
                .then().statusCode(200);

        JsonNode report = Browser.run(redirectUri, "compliance", as(OFFICER, Map.of("mrn", mrn)));

        assertTrue(report.path("verification").asText().startsWith("Intact"), report.toString());
        assertEquals(1, report.path("consentVersions").size(), report.toString());
        assertEquals("active", report.at("/consentVersions/0/2").asText());
        assertTrue(report.at("/consentVersions/0/4").asText().contains("TREAT"), report.toString());
        assertTrue(report.path("auditRows").asInt() >= 2, "the consent and the view are in the trail: " + report);
    }

    @Test
    void administratorSeesTheWorkQueue() throws Exception {
        JsonNode report = Browser.run(redirectUri, "admin", as(ADMIN, Map.of()));
        assertTrue(report.path("summary").asText().contains("PACS_DELIVERY"), report.toString());
        assertTrue(report.path("summary").asText().matches("(?s).*Queue depth: \\d+ · failed: \\d+ · oldest waiting item: .*"),
                report.path("summary").asText());
    }

    @Test
    void eachUserSeesOnlyThePagesOfTheirRoles() throws Exception {
        JsonNode report = Browser.run(redirectUri, "roles", as(PHOTOGRAPHER, Map.of()));
        List<String> nav = new ArrayList<>();
        report.path("nav").forEach(n -> nav.add(n.asText()));
        assertEquals(List.of("Capture", "Consent", "Gallery", "Before/after"), nav);
        assertEquals("Not available", report.path("adminHeading").asText());
    }
}
