package org.photobridge.fhir.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.photobridge.fhir.FhirContexts;

/** Plain HTTP calls to a FHIR base for exact status and header checks, as a caller with some roles. */
public final class FhirHttp {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String roles;

    public FhirHttp(String base, String... roles) {
        this.base = base;
        this.roles = String.join(",", roles);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    /** GET with extra headers, given as name, value, name, value, … */
    public HttpResponse<String> getWith(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    public HttpResponse<String> post(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> put(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/fhir+json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String path) {
        return send(request(path).DELETE());
    }

    public static String json(IBaseResource resource) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(resource);
    }

    public static <T extends IBaseResource> T parse(Class<T> type, HttpResponse<String> response) {
        return FhirContexts.r4().newJsonParser().parseResource(type, response.body());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        var builder = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + "/" + path))
                .header("Accept", "application/fhir+json");
        if (!roles.isEmpty()) {
            builder.header(TestFhirServer.ROLES_HEADER, roles);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) {
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("FHIR call failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
