package org.photobridge.gateway.edge;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;

/**
 * Marks every answer of the doors that carry patient data ({@code /api/v1}, {@code /fhir},
 * {@code /dicomweb}) {@code Cache-Control: no-store} and {@code Pragma: no-cache}, refusals of the
 * HTTP security layer (401, 403, 413) included: photos, consents, study lists and audit trails must
 * not linger in browser or proxy caches. An answer that already says {@code no-store} (photo images
 * send {@code private, no-store}) keeps its own value.
 */
@ApplicationScoped
public class NoStoreForPatientData {
    /** Before the security layer's handlers, so that its 401 and 403 answers carry the headers too. */
    private static final int PRIORITY = 10_000;

    /** The path prefixes of the doors whose answers carry patient data. */
    static final String[] DOORS = { "/api/v1", "/fhir", "/dicomweb" };

    void register(@Observes Filters filters) {
        filters.register(context -> {
            if (carriesPatientData(context.normalizedPath())) {
                context.addHeadersEndHandler(v -> mark(context.response().headers()));
            }
            context.next();
        }, PRIORITY);
    }

    static boolean carriesPatientData(String path) {
        for (String door : DOORS) {
            if (path.equals(door) || path.startsWith(door + "/")) {
                return true;
            }
        }
        return false;
    }

    private static void mark(MultiMap headers) {
        String cacheControl = headers.get("Cache-Control");
        if (cacheControl == null || !cacheControl.toLowerCase(Locale.ROOT).contains("no-store")) {
            headers.set("Cache-Control", "no-store");
        }
        headers.set("Pragma", "no-cache");
    }
}
