package org.photobridge.gateway.access;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Verifies a bearer access token once and serves its identity to the same token's later requests
 * ({@link VerifiedTokens}): quarkus-oidc checks the signature and parses the token's JSON three times
 * on every request, the largest share of a FHIR read's CPU after the answer itself
 * (docs/performance.md, issue 10). Runs before quarkus-oidc's own provider; a token it has not kept
 * goes to that provider, and what it verifies is kept. Refusals are quarkus-oidc's, unchanged.
 * The gateway has one OIDC tenant, and a token is kept without the tenant that verified it: a second
 * tenant (another provider, another audience) must become part of the key before it is configured.
 */
@ApplicationScoped
public class TokenReuse implements IdentityProvider<TokenAuthenticationRequest> {
    private final OidcIdentityProvider oidc;
    private final VerifiedTokens verified;

    TokenReuse(OidcIdentityProvider oidc, AccessConfig config, Clock clock) {
        this.oidc = oidc;
        this.verified = new VerifiedTokens(clock, config.verifiedTokenReuse(), config.verifiedTokenEntries());
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Before quarkus-oidc's provider, which has the default priority. */
    @Override
    public int priority() {
        return SYSTEM_FIRST + 100;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!verified.enabled() || !(request.getToken() instanceof AccessTokenCredential)) {
            return Uni.createFrom().nullItem();
        }
        String token = request.getToken().getToken();
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        var kept = verified.find(token);
        if (kept.isPresent()) {
            if (routing != null) {
                // What quarkus-oidc's provider leaves for the request's later steps.
                routing.put(AuthenticationRequestContext.class.getName(), context);
            }
            return Uni.createFrom().item(kept.get().identity(routing, context));
        }
        return oidc.authenticate(request, context).invoke(identity -> {
            if (identity != null) {
                verified.keep(token, identity);
            }
        });
    }

    /** How many requests were served a kept identity so far (tests). */
    long reused() {
        return verified.reused();
    }

    /** How many tokens are kept now (tests). */
    int kept() {
        return verified.size();
    }
}
