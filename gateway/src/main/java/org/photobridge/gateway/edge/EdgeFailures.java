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
import io.vertx.ext.web.handler.HttpException;

/**
 * Gives a body to the failures the HTTP layer answers before any resource runs: a token that fails
 * authentication (401, Bearer challenge with {@code error="invalid_token"}), a request refused by an
 * http permission (403), and 4xx status failures of the router and Vert.x Web's handlers (404, 405,
 * 413, ...). Quarkus' own last
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
        } else if (clientError(failure, context) > 0) {
            int status = clientError(failure, context);
            if (status == 401) {
                BearerChallenges.challenge(context);
            }
            EdgeResponses.send(context, EdgeProblems.forStatus(status, HttpResponseStatus.valueOf(status).reasonPhrase()));
        } else {
            context.next();
        }
    }

    /** The 4xx status of a failure by status code ({@code fail(404)}, or Vert.x Web's HttpException); else 0. */
    private static int clientError(Throwable failure, RoutingContext context) {
        int status = failure == null ? context.statusCode()
                : failure instanceof HttpException http ? http.getStatusCode() : 0;
        return status >= 400 && status < 500 ? status : 0;
    }

    private static Throwable rootCause(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null
                || failure instanceof CompositeException) {
            failure = failure instanceof CompositeException composite ? composite.getCauses().get(0) : failure.getCause();
        }
        return failure;
    }
}
