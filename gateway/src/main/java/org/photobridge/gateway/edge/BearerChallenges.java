package org.photobridge.gateway.edge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** RFC 6750 challenges: {@code WWW-Authenticate: Bearer}, with {@code error="invalid_token"} when a token was sent. */
final class BearerChallenges {

    private static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    private BearerChallenges() {
    }

    /** Whether the request carried a bearer token (then a 401 means that token was refused). */
    static boolean tokenSent(RoutingContext context) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    /** Makes sure the answer carries a Bearer challenge; marks it {@code invalid_token} when a token was refused. */
    static void challenge(RoutingContext context) {
        var headers = context.response().headers();
        String challenge = headers.get(WWW_AUTHENTICATE);
        if (challenge == null || challenge.isBlank()) {
            challenge = "Bearer";
        }
        if (tokenSent(context) && !challenge.contains("error=")) {
            challenge = challenge.strip().equalsIgnoreCase("Bearer")
                    ? challenge.strip() + " error=\"invalid_token\""
                    : challenge.strip() + ", error=\"invalid_token\"";
        }
        headers.set(WWW_AUTHENTICATE, challenge);
    }
}
