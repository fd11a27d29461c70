package org.photobridge.gateway.dicomweb;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * Marks every answer of the DICOMweb door {@code Cache-Control: no-store}, refusals from the HTTP
 * security layer (401) included: photos and patients' study lists must not linger in browser or
 * proxy caches.
 */
@ApplicationScoped
public class NoStoreForDicomWeb {
    /** Before the security layer's handlers, so its 401 answers carry the header too. */
    private static final int PRIORITY = 10_000;

    void register(@Observes Filters filters) {
        filters.register(context -> {
            String path = context.normalizedPath();
            if (path.equals("/dicomweb") || path.startsWith("/dicomweb/")) {
                context.addHeadersEndHandler(v -> context.response().headers()
                        .set("Cache-Control", "no-store").set("Pragma", "no-cache"));
            }
            context.next();
        }, PRIORITY);
    }
}
