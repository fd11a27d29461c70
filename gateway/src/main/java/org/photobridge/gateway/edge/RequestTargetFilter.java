package org.photobridge.gateway.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.photobridge.gateway.edge.RequestTarget.Escaped;
import org.photobridge.gateway.edge.RequestTarget.Invalid;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every request: reads the request target (see {@link RequestTarget}) in place
 * of Quarkus' own check, which {@link UriCheckHandOver} switches off because it answers an empty 400
 * to any target {@code java.net.URI} refuses, bare {@code |} included. A target whose query only needs
 * percent-encoding is rerouted, encoded, through the whole router (authentication included); any other
 * invalid or over-long target ends here with a problem body (an OperationOutcome on /fhir).
 */
@ApplicationScoped
public class RequestTargetFilter {

    private final int maxLength;

    RequestTargetFilter(EdgeConfig config) {
        this.maxLength = config.maxRequestTargetLength();
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    void handle(RoutingContext context) {
        String target = context.request().uri();
        if (target.length() > maxLength) {
            EdgeResponses.send(context, EdgeProblems.requestTargetTooLong(maxLength));
            return;
        }
        RequestTarget.Verdict verdict = RequestTarget.judge(target);
        if (verdict instanceof Escaped escaped) {
            context.reroute(context.request().method(), escaped.target());
        } else if (verdict instanceof Invalid invalid) {
            EdgeResponses.send(context, EdgeProblems.malformedRequest(invalid.reason()));
        } else {
            context.next();
        }
    }
}
