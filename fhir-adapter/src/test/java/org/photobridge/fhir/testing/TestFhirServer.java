package org.photobridge.fhir.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.consent.ConsentResourceProvider;
import org.photobridge.fhir.consent.ConsentValidator;
import org.photobridge.fhir.consent.PatientLinker;
import org.photobridge.fhir.consent.PhotoConsentCodeSystemProvider;
import org.photobridge.fhir.server.PhotoBridgeFhirServer;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.AdditionalRequestHeadersInterceptor;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Our FHIR server over an in-memory consent store in Jetty, with the caller's roles taken from the
 * {@value #ROLES_HEADER} header (standing in for the bearer token's realm roles).
 */
public final class TestFhirServer implements AutoCloseable {

    public static final String ROLES_HEADER = "X-Test-Roles";

    private static ConsentValidator validator;

    private final InMemoryConsentRepository repository;
    private final JettyFhirHost host;

    private TestFhirServer(InMemoryConsentRepository repository, JettyFhirHost host) {
        this.repository = repository;
        this.host = host;
    }

    public static TestFhirServer start(PatientLinker linker, List<Object> additionalProviders) {
        return start(linker, additionalProviders, RecordingAccess.permitAll());
    }

    public static TestFhirServer start(PatientLinker linker, List<Object> additionalProviders, RecordingAccess access) {
        var repository = new InMemoryConsentRepository();
        var server = new PhotoBridgeFhirServer(new ConsentResourceProvider(repository, validator(), linker, access),
                new PhotoConsentCodeSystemProvider(), additionalProviders, rolesFromHeader());
        return new TestFhirServer(repository, JettyFhirHost.start(server));
    }

    public static TestFhirServer start() {
        return start(PatientLinker.NONE, List.of());
    }

    /** One validator for the whole test run: loading the R4 definitions takes seconds. */
    public static synchronized ConsentValidator validator() {
        if (validator == null) {
            validator = new ConsentValidator();
            validator.warmUp();
        }
        return validator;
    }

    public static Function<HttpServletRequest, Set<String>> rolesFromHeader() {
        return request -> {
            String header = request.getHeader(ROLES_HEADER);
            if (header == null || header.isBlank()) {
                return Set.of();
            }
            return Arrays.stream(header.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .collect(Collectors.toUnmodifiableSet());
        };
    }

    /** A HAPI generic client that calls with these roles. */
    public IGenericClient client(String... roles) {
        FhirContexts.r4().getRestfulClientFactory().setServerValidationMode(
                ca.uhn.fhir.rest.client.api.ServerValidationModeEnum.NEVER);
        IGenericClient client = FhirContexts.r4().newRestfulGenericClient(baseUrl());
        var headers = new AdditionalRequestHeadersInterceptor();
        if (roles.length > 0) {
            headers.addHeaderValue(ROLES_HEADER, String.join(",", roles));
        }
        client.registerInterceptor(headers);
        return client;
    }

    public String baseUrl() {
        return host.baseUrl();
    }

    public InMemoryConsentRepository repository() {
        return repository;
    }

    @Override
    public void close() {
        host.close();
    }
}
