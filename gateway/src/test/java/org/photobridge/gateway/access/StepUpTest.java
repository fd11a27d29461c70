package org.photobridge.gateway.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Step-up (RFC 9470) against the real realm: a breast photo is shown only to a token whose acr says
 * the user gave the OTP after the password; the demo user plastics.consultant has an OTP credential
 * whose secret the test reads from the realm file, and signs in through Keycloak's own forms.
 */
@QuarkusTest
@TestProfile(StepUpProfile.class)
@QuarkusTestResource(TestStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepUpTest {
    private static final String OTP_USER = "plastics.consultant";
    private static final String CHALLENGE =
            "Bearer error=\"insufficient_user_authentication\", error_description=\"a second factor is needed for photos"
                    + " of this body site\", acr_values=\"mfa\"";

    private PhotoFixtures.Photo breast;
    private PhotoFixtures.Photo arm;

    @BeforeEach
    void photos() {
        if (breast == null) {
            breast = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "76752008");
            arm = PhotoFixtures.upload("plastics.surgeon", "plastic-surgery", "40983000");
        }
    }

    private static void asksForASecondFactor(Response r, String what) {
        assertEquals(401, r.statusCode(), what + ": " + r.asString());
        assertEquals(CHALLENGE, r.getHeader("WWW-Authenticate"), what);
        assertTrue(r.getContentType().startsWith("application/problem+json"), what + ": " + r.getContentType());
        assertEquals("urn:photobridge:problem:step-up-required", r.path("type"), what);
    }

    @Test
    void aPasswordOnlyTokenIsAskedForASecondFactor() {
        String token = Keycloak.token("plastics.surgeon");
        for (String door : List.of("thumbnail", "rendered")) {
            asksForASecondFactor(given().auth().oauth2(token).get("/api/v1/photos/" + breast.id() + "/" + door), door);
            given().auth().oauth2(token).get("/api/v1/photos/" + arm.id() + "/" + door).then().statusCode(200);
        }
        asksForASecondFactor(given().auth().oauth2(token).get("/api/v1/photos/" + breast.id()
                + "/export?purpose=teaching"), "export");
        // Metadata needs no second factor, and tells the gallery what does.
        given().auth().oauth2(token).get("/api/v1/photos/" + breast.id()).then().statusCode(200)
                .body("stepUpRequired", org.hamcrest.Matchers.equalTo(true));
        given().auth().oauth2(token).get("/api/v1/photos/" + arm.id()).then().statusCode(200)
                .body("stepUpRequired", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theChallengeNeverRevealsAHiddenPhoto() {
        for (String user : List.of("derm.consultant", "wound.nurse", "compliance.officer", "gateway.admin")) {
            Response r = given().auth().oauth2(Keycloak.token(user)).get("/api/v1/photos/" + breast.id() + "/thumbnail");
            assertEquals(404, r.statusCode(), user + " is told what a missing photo tells: " + r.asString());
            assertEquals(r.asString(), given().auth().oauth2(Keycloak.token(user))
                    .get("/api/v1/photos/" + UUID.randomUUID() + "/thumbnail").asString(), user);
        }
    }

    @Test
    void theOtpRaisesTheTokensAcrAndOpensThePhoto() throws Exception {
        String password = Keycloak.password(OTP_USER);
        var level1 = BrowserSignIn.signIn(OTP_USER, password, Optional.empty(), Optional.empty());
        assertEquals(List.of("kc-form-login"), level1.formsShown(), "password alone when no level is asked");
        assertEquals("password", level1.claims().path("acr").asText(), level1.claims().toString());
        asksForASecondFactor(given().auth().oauth2(level1.accessToken())
                .get("/api/v1/photos/" + breast.id() + "/thumbnail"), "password sign-in");

        var level2 = BrowserSignIn.signIn(OTP_USER, password, Optional.of("mfa"),
                Optional.of(BrowserSignIn.totp(OTP_USER)));
        assertEquals(List.of("kc-form-login", "kc-otp-login-form"), level2.formsShown());
        assertEquals("mfa", level2.claims().path("acr").asText(), level2.claims().toString());
        given().auth().oauth2(level2.accessToken()).get("/api/v1/photos/" + breast.id() + "/thumbnail").then()
                .statusCode(200).contentType("image/jpeg");
        given().auth().oauth2(level2.accessToken()).get("/api/v1/photos/" + breast.id()).then().statusCode(200)
                .body("stepUpRequired", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aWrongOtpGetsNoToken() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> BrowserSignIn.signIn(OTP_USER, Keycloak.password(OTP_USER), Optional.of("mfa"), Optional.of("000000")
                        .map(code -> code.equals(safeTotp()) ? "111111" : code)));
        assertTrue(e.getMessage().startsWith("no code after"), e.getMessage());
    }

    private static String safeTotp() {
        try {
            return BrowserSignIn.totp(OTP_USER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
