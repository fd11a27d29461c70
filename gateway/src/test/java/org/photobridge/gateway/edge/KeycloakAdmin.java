package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.photobridge.gateway.testing.Keycloak;


import io.restassured.http.ContentType;

/** Admin calls on the test stack's Keycloak that the edge tests need (tokens that expire, a SMART app). */
final class KeycloakAdmin {
    static final String CLI_CLIENT = "photobridge-cli";

    private KeycloakAdmin() {
    }

    static String adminToken() {
        return Keycloak.adminToken();
    }

    static String adminBase() {
        return Keycloak.adminRealmUrl();
    }

    /** A real, validly signed token of {@code user} that expires {@code seconds} after it is issued. */
    @SuppressWarnings("unchecked")
    static String shortLivedToken(String user, int seconds) {
        String admin = adminToken();
        Map<String, Object> client = given().auth().oauth2(admin).queryParam("clientId", CLI_CLIENT)
                .get(adminBase() + "/clients").then().statusCode(200).extract().<List<Map<String, Object>>>path("$").get(0);
        String id = (String) client.get("id");
        Map<String, Object> attributes = new HashMap<>((Map<String, Object>) client.getOrDefault("attributes", Map.of()));
        Object before = attributes.get("access.token.lifespan");
        try {
            attributes.put("access.token.lifespan", Integer.toString(seconds));
            client.put("attributes", attributes);
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(client)
                    .put(adminBase() + "/clients/" + id).then().statusCode(204);
            return passwordGrant(user);
        } finally {
            // Keycloak keeps attributes a PUT leaves out; an empty value is what removes one.
            attributes.put("access.token.lifespan", before == null ? "" : before);
            client.put("attributes", attributes);
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(client)
                    .put(adminBase() + "/clients/" + id).then().statusCode(204);
        }
    }

    /**
     * A public SMART app client (standard flow, PKCE S256 required, one loopback redirect URI) whose
     * tokens carry the gateway's audience, as a hospital would register an app; created once.
     */
    static void ensureSmartAppClient(String clientId, String redirectUri) {
        String admin = adminToken();
        List<?> existing = given().auth().oauth2(admin).queryParam("clientId", clientId)
                .get(adminBase() + "/clients").then().statusCode(200).extract().path("$");
        if (!existing.isEmpty()) {
            return;
        }
        Map<String, Object> audience = Map.of("name", "photobridge-gateway audience", "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper", "config", Map.of(
                        "included.client.audience", "photobridge-gateway",
                        "access.token.claim", "true", "id.token.claim", "false"));
        Map<String, Object> client = Map.of(
                "clientId", clientId, "protocol", "openid-connect", "publicClient", true,
                "standardFlowEnabled", true, "directAccessGrantsEnabled", false, "implicitFlowEnabled", false,
                "redirectUris", List.of(redirectUri), "webOrigins", List.of("+"),
                "attributes", Map.of("pkce.code.challenge.method", "S256"),
                "protocolMappers", List.of(audience));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(client)
                .post(adminBase() + "/clients").then().statusCode(201);
    }

    static String passwordGrant(String user) {
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", CLI_CLIENT)
                .formParam("username", user).formParam("password", password(user))
                .post(Keycloak.realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    static String password(String user) {
        return Keycloak.password(user);
    }
}
