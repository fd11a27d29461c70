package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;
import org.photobridge.gateway.testing.TestStackProperties;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Tokens an attacker makes or borrows, on every door: {@code alg: none}, a token signed by a key of
 * the attacker's with Keycloak's key id, one with departments and roles forged into its payload
 * (signed or not), one from another realm (another issuer) and one Keycloak issued for a client that
 * is not the gateway (another audience). Each gets 401 with the door's body and nothing in that body
 * says what was wrong with it. (Missing and expired tokens: {@link HttpEdgeTest}.)
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class HostileTokensTest {
    private static final String PHOTOGRAPHER = "derm.photographer";
    private static final String NO_AUDIENCE_CLIENT = "photobridge-hostile-no-audience";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One path per door, each needing a token; /api/v1/work needs gateway-admin besides. */
    private static final List<String> TARGETS = List.of("/api/v1/photos?patient=urn:oid:1.2.3.4.5%7CMRN-1",
            "/api/v1/work", "/fhir/Consent?status=active", "/dicomweb/studies");

    @Test
    void algNoneIsRefused() throws Exception {
        String real = Keycloak.token(PHOTOGRAPHER);
        assertRefusedEverywhere(unsigned(Map.of("alg", "none", "typ", "JWT"), payload(real)), real);
        assertRefusedEverywhere(unsigned(Map.of("alg", "NONE"), payload(real)), real);
    }

    @Test
    void tokenSignedByAnotherKeyIsRefused() throws Exception {
        String real = Keycloak.token(PHOTOGRAPHER);
        Map<String, Object> header = new LinkedHashMap<>(header(real)); // Keycloak's kid, our key
        var keys = KeyPairGenerator.getInstance("RSA");
        keys.initialize(2048);
        var pair = keys.generateKeyPair();
        String signingInput = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(payload(real)));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(pair.getPrivate());
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        assertRefusedEverywhere(signingInput + "." + b64(rs256.sign()), real);

        // HS256 with the public key's bytes as the secret (algorithm confusion).
        header.put("alg", "HS256");
        String hsInput = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(payload(real)));
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(pair.getPublic().getEncoded(), "HmacSHA256"));
        assertRefusedEverywhere(hsInput + "." + b64(mac.doFinal(hsInput.getBytes(StandardCharsets.US_ASCII))), real);
    }

    @Test
    @SuppressWarnings("unchecked")
    void forgedDepartmentsAndRolesAreRefused() throws Exception {
        String real = Keycloak.token(PHOTOGRAPHER);
        Map<String, Object> claims = new LinkedHashMap<>(payload(real));
        claims.put("groups", List.of("dermatology", "plastic-surgery", "wound-care"));
        Map<String, Object> realmAccess = new LinkedHashMap<>((Map<String, Object>) claims.getOrDefault("realm_access",
                Map.of()));
        var roles = new ArrayList<Object>((List<Object>) realmAccess.getOrDefault("roles", List.of()));
        roles.addAll(List.of("gateway-admin", "compliance-officer", "consent-manager"));
        realmAccess.put("roles", roles);
        claims.put("realm_access", realmAccess);
        String[] parts = real.split("\\.");
        // Keycloak's header and signature, forged payload.
        assertRefusedEverywhere(parts[0] + "." + b64(JSON.writeValueAsBytes(claims)) + "." + parts[2], real);
        // Unsigned, forged payload.
        assertRefusedEverywhere(unsigned(Map.of("alg", "none", "typ", "JWT"), claims), real);
        // Without a signature part at all.
        assertRefusedEverywhere(parts[0] + "." + b64(JSON.writeValueAsBytes(claims)), real);
    }

    @Test
    void tokenOfAnotherIssuerIsRefused() {
        String master = KeycloakAdmin.adminToken(); // validly signed by the same Keycloak, realm master
        assertNotEquals(payload(master).get("iss"), payload(Keycloak.token(PHOTOGRAPHER)).get("iss"));
        assertRefusedEverywhere(master, master);
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        String other = tokenWithoutGatewayAudience(PHOTOGRAPHER);
        Object audience = payload(other).get("aud");
        assertFalse(String.valueOf(audience).contains("photobridge-gateway"), "aud: " + audience);
        assertRefusedEverywhere(other, other);
    }

    @Test
    void aValidTokenWithoutTheRoleGets403WithABodyThatLeaksNothing() {
        var answer = RawHttp.get("/api/v1/work", Keycloak.token(PHOTOGRAPHER));
        assertEquals(403, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.contentType());
        assertLeaksNothing(answer.body(), Keycloak.token(PHOTOGRAPHER));
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static void assertRefusedEverywhere(String token, String derivedFrom) {
        for (String target : TARGETS) {
            var answer = RawHttp.get(target, token);
            assertEquals(401, answer.status(), target + ": " + answer.body());
            assertEquals("Bearer error=\"invalid_token\"", answer.header("www-authenticate"), target);
            if (target.startsWith("/fhir")) {
                assertEquals("application/fhir+json", answer.contentType(), target);
                assertTrue(answer.body().contains("\"OperationOutcome\""), answer.body());
            } else {
                assertEquals("application/problem+json", answer.contentType(), target);
                Map<String, Object> problem = read(answer.body());
                assertEquals("urn:photobridge:problem:invalid-token", problem.get("type"), answer.body());
                assertEquals(401, problem.get("status"));
            }
            assertLeaksNothing(answer.body(), derivedFrom);
        }
    }

    /** Nothing of the token, of the validation's reasoning or of the identity provider in the body. */
    private static void assertLeaksNothing(String body, String token) {
        String lower = body.toLowerCase(Locale.ROOT);
        for (String word : List.of("jose4j", "exception", "signature", "issuer", "audience", "kid", "alg", "realm",
                "keycloak", "127.0.0.1:" + TestStackProperties.value("keycloak.url").replaceAll(".*:", ""),
                "expired at", "claim")) {
            assertFalse(lower.contains(word.toLowerCase(Locale.ROOT)), "the body names '" + word + "': " + body);
        }
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertFalse(body.contains(part.substring(0, 8)), "the body repeats the token: " + body);
            }
        }
        Map<String, Object> claims = payload(token);
        for (String claim : List.of("sub", "preferred_username", "email", "iss", "azp", "sid")) {
            if (claims.get(claim) instanceof String value && value.length() > 3) {
                assertFalse(body.contains(value), "the body names the token's " + claim + ": " + body);
            }
        }
    }

    private static String tokenWithoutGatewayAudience(String user) {
        String admin = KeycloakAdmin.adminToken();
        List<?> existing = given().auth().oauth2(admin).queryParam("clientId", NO_AUDIENCE_CLIENT)
                .get(KeycloakAdmin.adminBase() + "/clients").then().statusCode(200).extract().path("$");
        if (existing.isEmpty()) {
            given().auth().oauth2(admin).contentType(ContentType.JSON)
                    .body(Map.of("clientId", NO_AUDIENCE_CLIENT, "protocol", "openid-connect", "publicClient", true,
                            "standardFlowEnabled", false, "directAccessGrantsEnabled", true))
                    .post(KeycloakAdmin.adminBase() + "/clients").then().statusCode(201);
        }
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", NO_AUDIENCE_CLIENT)
                .formParam("username", user).formParam("password", KeycloakAdmin.password(user))
                .post(Keycloak.realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    private static String unsigned(Map<String, Object> header, Map<String, Object> claims) throws Exception {
        return b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims)) + ".";
    }

    private static Map<String, Object> header(String token) {
        return decode(token.split("\\.")[0]);
    }

    private static Map<String, Object> payload(String token) {
        return decode(token.split("\\.")[1]);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> decode(String part) {
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(part), Map.class);
        } catch (Exception e) {
            throw new AssertionError("not a JWT part", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
