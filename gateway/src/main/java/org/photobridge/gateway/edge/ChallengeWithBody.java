package org.photobridge.gateway.edge;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.quarkus.arc.ClientProxy;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends the 401 challenge of a request that carried no token to a path an http permission protects
 * (for example {@code /fhir/Consent}) with a body. Quarkus answers those from its permission check by
 * asking the mechanisms for a challenge and ending the response at once, empty, so the body has to be
 * written here. The challenge itself (status and {@code WWW-Authenticate}) is the one the real
 * mechanism (OIDC) gives. This mechanism authenticates nobody; requests whose token OIDC refused are
 * challenged by OIDC itself and reach {@link EdgeFailures} instead.
 */
@ApplicationScoped
public class ChallengeWithBody implements HttpAuthenticationMechanism {

    private final Instance<HttpAuthenticationMechanism> mechanisms;

    ChallengeWithBody(Instance<HttpAuthenticationMechanism> mechanisms) {
        this.mechanisms = mechanisms;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return challenge(context, others(), 0);
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return getChallenge(context).map(challenge -> {
            if (challenge == null) {
                return false;
            }
            context.response().setStatusCode(challenge.status);
            challenge.getHeaders().forEach((name, value) -> context.response().headers().set(name, value));
            if (challenge.status == 401) {
                BearerChallenges.challenge(context);
                EdgeResponses.send(context, BearerChallenges.tokenSent(context) ? EdgeProblems.invalidToken()
                        : EdgeProblems.tokenRequired());
            }
            // Any other challenge (a redirect of a browser sign-in) is left for Quarkus to end, as it would be.
            return true;
        });
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    /** Ahead of every real mechanism, so that its challenge is the one sent. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 10_000;
    }

    private List<HttpAuthenticationMechanism> others() {
        return mechanisms.stream()
                .filter(mechanism -> !(ClientProxy.unwrap(mechanism) instanceof ChallengeWithBody))
                .sorted(Comparator.comparingInt(HttpAuthenticationMechanism::getPriority).reversed())
                .toList();
    }

    private static Uni<ChallengeData> challenge(RoutingContext context, List<HttpAuthenticationMechanism> others,
            int index) {
        if (index == others.size()) {
            return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
        }
        return others.get(index).getChallenge(context).onItem().ifNull()
                .switchTo(() -> challenge(context, others, index + 1));
    }
}
