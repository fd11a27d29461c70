package org.photobridge.gateway.edge;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request whose declared {@code Content-Length} exceeds {@code quarkus.http.limits.max-body-size}
 * with 413 and a problem body, just before Quarkus' own check would end it with an empty 413. The body
 * is not read: the connection is closed after the answer, as Quarkus does.
 */
@ApplicationScoped
public class BodySizeGuard {

    private final long limit;

    BodySizeGuard(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.limit = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            length = -1; // Netty refuses a malformed Content-Length before this runs
        }
        if (length > limit) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
            context.response().endHandler(ended -> context.request().connection().close());
            EdgeResponses.send(context, EdgeProblems.requestTooLarge(limit));
            return;
        }
        context.next();
    }
}
