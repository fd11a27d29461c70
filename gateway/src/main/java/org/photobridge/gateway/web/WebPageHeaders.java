package org.photobridge.gateway.web;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * Security headers on every answer under /web/: a strict Content-Security-Policy (scripts and
 * styles only from the gateway itself, no inline script, connections only to the gateway and the
 * issuer's token endpoint, images from the gateway or blob URLs the page made), no caching, no
 * framing, no referrer. docs/web.md explains each.
 */
@ApplicationScoped
public class WebPageHeaders {
    private static final int PRIORITY = 9_000;

    private final String policy;

    WebPageHeaders(WebConfig config) {
        this.policy = contentSecurityPolicy(config.issuer());
    }

    static String contentSecurityPolicy(String issuer) {
        URI uri = URI.create(issuer);
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
                + "connect-src 'self' " + origin + "; form-action 'self' " + origin + "; "
                + "base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'";
    }

    void register(@Observes Filters filters) {
        filters.register(context -> {
            String path = context.normalizedPath();
            if (path.equals("/web") || path.startsWith("/web/")) {
                context.addHeadersEndHandler(v -> context.response().headers()
                        .set("Content-Security-Policy", policy)
                        .set("Cache-Control", "no-store")
                        .set("X-Content-Type-Options", "nosniff")
                        .set("X-Frame-Options", "DENY")
                        .set("Referrer-Policy", "no-referrer")
                        .set("Cross-Origin-Opener-Policy", "same-origin")
                        .set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"));
            }
            context.next();
        }, PRIORITY);
    }
}
