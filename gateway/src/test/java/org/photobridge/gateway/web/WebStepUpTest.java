package org.photobridge.gateway.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Step-up in the browser: a breast photo needs a second factor. The page, told so by the API's
 * RFC 9470 challenge, sends the user back to Keycloak with {@code acr_values}; a wrong OTP keeps
 * the photo closed, the demo user's real TOTP code (its secret is in the test realm) opens it.
 */
@QuarkusTest
@TestProfile(StepUpProfile.class)
@QuarkusTestResource(TestStack.class)
class WebStepUpTest {
    /** The realm's demo user with an OTP credential (config/keycloak/photobridge-realm.json). */
    private static final String OTP_USER = "plastics.consultant";
    private static final String OTP_SECRET = "photobridge-demo-otp-secret";
    private static final String SURGEON = "plastics.surgeon";

    @TestHTTPResource("/web/")
    URL web;


    @BeforeAll
    static void installBrowser() throws Exception {
        Browser.install();
    }

    @AfterAll
    static void unregister() {
        WebClientRegistration.unregisterPages();
    }

    @Test
    void aSensitivePhotoOpensOnlyAfterTheSecondFactor() throws Exception {
        String redirectUri = WebClientRegistration.registerPage(web);
        String mrn = "WEB-SU-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent(SURGEON, mrn);
        var photo = WebTestData.upload(SURGEON, mrn, "ENC-SU", "plastic-surgery", "anterior", 60);
        // Without the second factor the API refuses with the challenge the page acts on.
        given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + photo.id() + "/rendered")
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"insufficient_user_authentication\""))
                .header("WWW-Authenticate", containsString("acr_values=\"mfa\""));

        var input = new HashMap<String, Object>(Map.of("mrn", mrn, "photoId", photo.id(), "otpSecret", OTP_SECRET));
        input.put("user", OTP_USER);
        input.put("password", WebClientRegistration.password(OTP_USER));
        JsonNode report = Browser.run(redirectUri, "stepup", input);

        String stepUp = report.path("stepUpUrl").asText();
        assertTrue(stepUp.startsWith(Keycloak.realmUrl()), stepUp);
        assertTrue(stepUp.contains("acr_values=mfa"), "the page re-authorises with the challenge's acr_values: " + stepUp);
        JsonNode wrong = report.path("afterWrongOtp");
        assertTrue(wrong.path("otpAskedAgain").asBoolean(), "a wrong code does not pass: " + wrong);
        assertNotNull(wrong.path("error").textValue(), "Keycloak says the code was wrong: " + wrong);
        assertFalse(wrong.path("url").asText().startsWith(redirectUri), "still at Keycloak after a wrong code");
        assertTrue(report.path("shownAfterOtp").asBoolean(), report.toString());
        assertEquals(0, report.at("/storage/sessionStorage").asInt(), "the PKCE verifier is gone: " + report.path("storage"));
        assertEquals(0, report.at("/storage/localStorage").asInt());
    }
}
