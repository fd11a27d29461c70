package org.photobridge.fhir.ehrtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.photobridge.fhir.FhirContexts;

/** Plain HTTP calls for tests that check status codes and raw FHIR answers. */
public final class Http {
    private Http() {
    }

    public static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/fhir+json").GET());
    }

    public static HttpResponse<String> send(String method, String url, String json) {
        var body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/fhir+json")
                .header("Content-Type", "application/fhir+json").method(method, body));
    }

    public static <T extends IBaseResource> T parse(Class<T> type, HttpResponse<String> response) {
        return FhirContexts.r4().newJsonParser().parseResource(type, response.body());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        // A server may close the connection after refusing a request without reading its body; a
        // fresh client per call keeps a later call from landing on that closed connection.
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
