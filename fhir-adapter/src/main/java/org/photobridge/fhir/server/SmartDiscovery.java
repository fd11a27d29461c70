package org.photobridge.fhir.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.UriType;
import org.photobridge.fhir.FhirContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * SMART on FHIR discovery: answers {@code GET [base]/.well-known/smart-configuration} and puts
 * {@code rest.security} (service SMART-on-FHIR and the {@code oauth-uris} extension) into the
 * CapabilityStatement, so that a SMART client finds where to sign in from the FHIR base URL alone.
 * Both are public: the container lets them through without a token.
 */
@Interceptor
public class SmartDiscovery {

    /** Servlet-context attribute under which the host application puts a {@code Supplier<SmartConfiguration>}. */
    public static final String CONFIGURATION_ATTRIBUTE = SmartConfiguration.class.getName();
    public static final String WELL_KNOWN_PATH = "/.well-known/smart-configuration";
    public static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
    public static final String SECURITY_SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service";

    private static final Logger LOG = LoggerFactory.getLogger(SmartDiscovery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<SmartConfiguration> configuration;

    /** @param configuration the current configuration; may throw {@link IllegalStateException} while it is unknown */
    public SmartDiscovery(Supplier<SmartConfiguration> configuration) {
        this.configuration = configuration;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void addSecurity(IBaseConformance generated) {
        if (!(generated instanceof CapabilityStatement statement)) {
            return;
        }
        SmartConfiguration smart;
        try {
            smart = configuration.get();
        } catch (IllegalStateException e) {
            LOG.warn("CapabilityStatement without OAuth URIs: {}", e.getMessage());
            return;
        }
        for (CapabilityStatementRestComponent rest : statement.getRest()) {
            CapabilityStatementRestSecurityComponent security = rest.getSecurity();
            security.addService().addCoding().setSystem(SECURITY_SERVICE_SYSTEM).setCode("SMART-on-FHIR")
                    .setDisplay("SMART-on-FHIR");
            security.setDescription("OAuth 2.0 bearer tokens from the hospital's authorization server (SMART App Launch);"
                    + " discovery at .well-known/smart-configuration");
            Extension uris = security.addExtension().setUrl(OAUTH_URIS);
            uris.addExtension("authorize", new UriType(smart.authorizationEndpoint()));
            uris.addExtension("token", new UriType(smart.tokenEndpoint()));
            if (smart.revocationEndpoint() != null) {
                uris.addExtension("revoke", new UriType(smart.revocationEndpoint()));
            }
            if (smart.introspectionEndpoint() != null) {
                uris.addExtension("introspect", new UriType(smart.introspectionEndpoint()));
            }
        }
    }

    /** Serves the well-known document before HAPI looks for a resource type called ".well-known". */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean serveWellKnown(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!WELL_KNOWN_PATH.equals(request.getPathInfo())) {
            return true;
        }
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            writeOutcome(response, 405, OperationOutcome.IssueType.NOTSUPPORTED,
                    "the SMART configuration is read with GET");
            return false;
        }
        SmartConfiguration smart;
        try {
            smart = configuration.get();
        } catch (IllegalStateException e) {
            LOG.warn("SMART configuration unavailable: {}", e.getMessage());
            writeOutcome(response, 503, OperationOutcome.IssueType.TRANSIENT,
                    "the authorization server's configuration is not available right now; try again later");
            return false;
        }
        byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document(smart));
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "public, max-age=300");
        response.setContentLength(body.length);
        if ("GET".equals(method)) {
            response.getOutputStream().write(body);
        }
        return false;
    }

    /** The well-known document, member names as in SMART App Launch 2.x; absent optional members left out. */
    static Map<String, Object> document(SmartConfiguration smart) {
        var document = new LinkedHashMap<String, Object>();
        putIfPresent(document, "issuer", smart.issuer());
        putIfPresent(document, "jwks_uri", smart.jwksUri());
        document.put("authorization_endpoint", smart.authorizationEndpoint());
        document.put("grant_types_supported", smart.grantTypesSupported());
        document.put("token_endpoint", smart.tokenEndpoint());
        putIfPresent(document, "token_endpoint_auth_methods_supported", smart.tokenEndpointAuthMethodsSupported());
        putIfPresent(document, "scopes_supported", smart.scopesSupported());
        putIfPresent(document, "response_types_supported", smart.responseTypesSupported());
        putIfPresent(document, "introspection_endpoint", smart.introspectionEndpoint());
        putIfPresent(document, "revocation_endpoint", smart.revocationEndpoint());
        document.put("capabilities", smart.capabilities());
        document.put("code_challenge_methods_supported", smart.codeChallengeMethodsSupported());
        return document;
    }

    private static void putIfPresent(Map<String, Object> document, String name, Object value) {
        if (value != null && !(value instanceof List<?> list && list.isEmpty())) {
            document.put(name, value);
        }
    }

    private static void writeOutcome(HttpServletResponse response, int status, OperationOutcome.IssueType code,
            String diagnostics) throws IOException {
        var outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
        byte[] body = FhirContexts.r4().newJsonParser().setPrettyPrint(true).encodeResourceToString(outcome)
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/fhir+json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
