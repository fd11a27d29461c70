package org.photobridge.gateway.edge;

import java.util.concurrent.CompletionException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.CompositeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives a body to the failures the HTTP layer answers before any resource runs: a token that fails
 * authentication (401, Bearer challenge with {@code error="invalid_token"}), a request refused by an
 * http permission (403), and 4xx status failures of the router (404, 405, ...). Quarkus' own last
 * failure handler would end these with an empty body. Other failures go on to it unchanged.
 */
@ApplicationScoped
public class EdgeFailures {

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext context) {
        if (context.response().ended()) {
            return;
        }
        Throwable failure = rootCause(context.failure());
        if (failure instanceof AuthenticationException && !(failure instanceof AuthenticationRedirectException)
                || failure instanceof UnauthorizedException) {
            BearerChallenges.challenge(context);
            EdgeResponses.send(context, BearerChallenges.tokenSent(context) ? EdgeProblems.invalidToken()
                    : EdgeProblems.tokenRequired());
        } else if (failure instanceof ForbiddenException) {
            EdgeResponses.send(context, EdgeProblems.forbidden());
        } else if (failure == null && context.statusCode() >= 400 && context.statusCode() < 500) {
            if (context.statusCode() == 401) {
                BearerChallenges.challenge(context);
            }
            EdgeResponses.send(context, EdgeProblems.forStatus(context.statusCode(),
                    HttpResponseStatus.valueOf(context.statusCode()).reasonPhrase()));
        } else {
            context.next();
        }
    }

    private static Throwable rootCause(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null
                || failure instanceof CompositeException) {
            failure = failure instanceof CompositeException composite ? composite.getCauses().get(0) : failure.getCause();
        }
        return failure;
    }
}
