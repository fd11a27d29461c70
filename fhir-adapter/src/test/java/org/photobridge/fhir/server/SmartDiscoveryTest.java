package org.photobridge.fhir.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.consent.ConsentResourceProvider;
import org.photobridge.fhir.consent.PatientLinker;
import org.photobridge.fhir.consent.PhotoConsentCodeSystemProvider;
import org.photobridge.fhir.testing.InMemoryConsentRepository;
import org.photobridge.fhir.testing.RecordingAccess;
import org.photobridge.fhir.testing.TestFhirServer;

import com.fasterxml.jackson.databind.ObjectMapper;

/** SMART discovery of the FHIR server, given a configuration through the servlet context as the gateway does. */
class SmartDiscoveryTest {
    private static final SmartConfiguration SMART = new SmartConfiguration("https://login.example/realms/pb",
            "https://login.example/realms/pb/certs", "https://login.example/realms/pb/auth",
            "https://login.example/realms/pb/token", "https://login.example/realms/pb/revoke", null,
            List.of("authorization_code"), List.of("client_secret_basic"), List.of("openid", "profile"),
            List.of("code"), List.of("S256"), List.of("launch-standalone", "client-public"));
    private static final AtomicReference<RuntimeException> UNAVAILABLE = new AtomicReference<>();

    private static Server jetty;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        var servlet = new PhotoBridgeFhirServer(
                new ConsentResourceProvider(new InMemoryConsentRepository(), TestFhirServer.validator(), PatientLinker.NONE,
                        RecordingAccess.permitAll()),
                new PhotoConsentCodeSystemProvider(), List.of(), TestFhirServer.rolesFromHeader());
        jetty = new Server();
        var connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        var context = new ServletContextHandler();
        context.setContextPath("/");
        Supplier<SmartConfiguration> current = () -> {
            if (UNAVAILABLE.get() != null) {
                throw UNAVAILABLE.get();
            }
            return SMART;
        };
        context.setAttribute(SmartDiscovery.CONFIGURATION_ATTRIBUTE, current);
        context.addServlet(new ServletHolder(servlet), "/fhir/*");
        jetty.setHandler(context);
        jetty.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/fhir";
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.stop();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void capabilityStatementNamesSmartAndTheOauthUris() throws Exception {
        var response = get("/metadata?_format=json");
        assertEquals(200, response.statusCode());
        var security = FhirContexts.r4().newJsonParser().parseResource(CapabilityStatement.class, response.body())
                .getRestFirstRep().getSecurity();
        assertEquals("SMART-on-FHIR", security.getServiceFirstRep().getCodingFirstRep().getCode());
        assertEquals(SmartDiscovery.SECURITY_SERVICE_SYSTEM, security.getServiceFirstRep().getCodingFirstRep().getSystem());
        Extension uris = security.getExtensionByUrl(SmartDiscovery.OAUTH_URIS);
        assertEquals(SMART.authorizationEndpoint(), uris.getExtensionByUrl("authorize").getValue().primitiveValue());
        assertEquals(SMART.tokenEndpoint(), uris.getExtensionByUrl("token").getValue().primitiveValue());
        assertEquals(SMART.revocationEndpoint(), uris.getExtensionByUrl("revoke").getValue().primitiveValue());
        assertTrue(uris.getExtensionsByUrl("introspect").isEmpty(), "no introspection endpoint, no extension");
    }

    @Test
    @SuppressWarnings("unchecked")
    void wellKnownDocumentHasTheSmartMembers() throws Exception {
        var response = get("/.well-known/smart-configuration");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> json = new ObjectMapper().readValue(response.body(), Map.class);
        assertEquals(SMART.issuer(), json.get("issuer"));
        assertEquals(SMART.jwksUri(), json.get("jwks_uri"));
        assertEquals(SMART.authorizationEndpoint(), json.get("authorization_endpoint"));
        assertEquals(SMART.tokenEndpoint(), json.get("token_endpoint"));
        assertEquals(List.of("authorization_code"), json.get("grant_types_supported"));
        assertEquals(List.of("S256"), json.get("code_challenge_methods_supported"));
        assertEquals(List.of("launch-standalone", "client-public"), json.get("capabilities"));
        assertEquals(List.of("openid", "profile"), json.get("scopes_supported"));
        assertFalse(json.containsKey("introspection_endpoint"), "absent endpoints are left out, not null");
    }

    @Test
    void unknownConfigurationIs503WithOperationOutcome() throws Exception {
        UNAVAILABLE.set(new IllegalStateException("provider down"));
        try {
            var response = get("/.well-known/smart-configuration");
            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains("\"OperationOutcome\""), response.body());
        } finally {
            UNAVAILABLE.set(null);
        }
    }
}
