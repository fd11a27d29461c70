package org.photobridge.gateway.testing;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Gets real access tokens from the test stack's Keycloak with the public CLI client. */
public final class Keycloak {
    /** Keycloak's default access token lifespan is 5 minutes; refresh well before. */
    private static final long TOKEN_REUSE_MILLIS = 60_000;
    private static final Map<String, Cached> TOKENS = new ConcurrentHashMap<>();
    private static Map<String, String> passwords;

    private Keycloak() {
    }

    public static String realmUrl() {
        return TestStackProperties.value("keycloak.url") + "/realms/" + TestStackProperties.value("keycloak.realm");
    }

    private record Cached(String token, long fetchedAt) {
    }

    /** A fresh access token for a demo user (reused for up to a minute). */
    public static String token(String username) {
        long now = System.currentTimeMillis();
        return TOKENS.compute(username, (user, cached) -> cached != null && now - cached.fetchedAt < TOKEN_REUSE_MILLIS
                ? cached : new Cached(fetch(user), now)).token();
    }

    /** A new access token for a demo user, issued for this call alone. */
    public static String freshToken(String username) {
        return fetch(username);
    }

    private static String fetch(String username) {
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password")
                .formParam("client_id", "photobridge-cli")
                .formParam("username", username)
                .formParam("password", password(username))
                .post(realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    /** A token of the test stack's Keycloak administrator (realm master, {@code admin-cli}). */
    public static String adminToken() {
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", TestStackProperties.value("keycloak.admin-username"))
                .formParam("password", TestStackProperties.value("keycloak.admin-password"))
                .post(TestStackProperties.value("keycloak.url") + "/realms/master/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    /** The admin REST base of the test realm. */
    public static String adminRealmUrl() {
        return TestStackProperties.value("keycloak.url") + "/admin/realms/" + TestStackProperties.value("keycloak.realm");
    }

    /** A demo user's password from the test stack's credentials file. */
    @SuppressWarnings("unchecked")
    public static synchronized String password(String username) {
        if (passwords == null) {
            try {
                passwords = new ObjectMapper().readValue(
                        Files.readString(Path.of(TestStackProperties.value("keycloak.credentials-file"))), Map.class);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the test stack's credentials file", e);
            }
        }
        String password = passwords.get(username);
        if (password == null) {
            throw new IllegalStateException("no password for demo user " + username);
        }
        return password;
    }
}
