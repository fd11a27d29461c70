package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * SMART discovery without a token: the CapabilityStatement's rest.security and
 * .well-known/smart-configuration name the test stack's real Keycloak realm, as its own discovery
 * document does; nothing else on /fhir opens up.
 */
@QuarkusTest
@TestProfile(EdgeTestProfile.class)
@QuarkusTestResource(TestStack.class)
class SmartDiscoveryTest {

    private static JsonPath keycloakDiscovery() {
        return given().get(Keycloak.realmUrl() + "/.well-known/openid-configuration").then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void capabilityStatementCarriesSmartSecurityWithoutToken() {
        String body = given().accept("application/fhir+json").get("/fhir/metadata").then().statusCode(200)
                .extract().asString();
        var statement = FhirContexts.r4().newJsonParser().parseResource(CapabilityStatement.class, body);
        var security = statement.getRestFirstRep().getSecurity();
        Coding service = security.getServiceFirstRep().getCodingFirstRep();
        assertEquals("http://terminology.hl7.org/CodeSystem/restful-security-service", service.getSystem());
        assertEquals("SMART-on-FHIR", service.getCode());
        Extension uris = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        JsonPath keycloak = keycloakDiscovery();
        assertEquals(keycloak.getString("authorization_endpoint"),
                uris.getExtensionByUrl("authorize").getValue().primitiveValue());
        assertEquals(keycloak.getString("token_endpoint"), uris.getExtensionByUrl("token").getValue().primitiveValue());
        assertTrue(uris.getExtensionByUrl("authorize").getValue().primitiveValue().startsWith(Keycloak.realmUrl()));
    }

    @Test
    void smartConfigurationWithoutToken() {
        JsonPath smart = given().get("/fhir/.well-known/smart-configuration").then().statusCode(200)
                .contentType("application/json").extract().jsonPath();
        JsonPath keycloak = keycloakDiscovery();
        assertEquals(keycloak.getString("issuer"), smart.getString("issuer"));
        assertEquals(Keycloak.realmUrl(), smart.getString("issuer"));
        assertEquals(keycloak.getString("authorization_endpoint"), smart.getString("authorization_endpoint"));
        assertEquals(keycloak.getString("token_endpoint"), smart.getString("token_endpoint"));
        assertEquals(keycloak.getString("jwks_uri"), smart.getString("jwks_uri"));
        assertEquals(List.of("S256"), smart.getList("code_challenge_methods_supported"));
        assertTrue(smart.getList("grant_types_supported").contains("authorization_code"));
        assertTrue(smart.getList("grant_types_supported").stream().allMatch(
                type -> List.of("authorization_code", "client_credentials").contains(type)));
        assertTrue(smart.getList("capabilities").containsAll(List.of("launch-standalone", "sso-openid-connect")));
        assertTrue(smart.getList("scopes_supported").contains("openid"));
        assertEquals(List.of("code"), smart.getList("response_types_supported"));
    }

    @Test
    void onlyTheTwoDiscoveryReadsArePublic() {
        for (String path : List.of("/fhir/Consent", "/fhir/CodeSystem", "/fhir/.well-known/smart-configuration/x",
                "/fhir/metadata/x", "/fhir")) {
            var answer = RawHttp.get(path, null);
            assertEquals(401, answer.status(), path);
            assertEquals("Bearer", answer.header("www-authenticate"), path);
            assertEquals("application/fhir+json", answer.contentType(), path);
        }
        assertEquals(401, RawHttp.send("POST", "/fhir/metadata", null).status());
        assertEquals(401, RawHttp.send("POST", "/fhir/.well-known/smart-configuration", null).status());
        assertEquals(200, RawHttp.send("HEAD", "/fhir/.well-known/smart-configuration", null).status());
    }

    @Test
    void otherMethodsOnDiscoveryPathsAreRefusedAtTheEdge() {
        // The public permission names GET and HEAD only; Quarkus denies the path's other methods.
        for (String method : List.of("DELETE", "PUT", "POST")) {
            var answer = RawHttp.send(method, "/fhir/.well-known/smart-configuration",
                    Keycloak.token("compliance.officer"));
            assertEquals(403, answer.status(), answer.body());
            assertEquals("application/fhir+json", answer.contentType());
        }
    }

}
