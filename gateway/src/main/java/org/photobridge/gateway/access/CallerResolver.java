package org.photobridge.gateway.access;

import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;

/** Builds the {@link Caller} from the request's verified OIDC access token. */
@RequestScoped
public class CallerResolver {
    /** Claim that carries Keycloak group names (group-membership mapper, full.path=false). */
    public static final String GROUPS_CLAIM = "groups";

    @Inject
    SecurityIdentity identity;

    @Inject
    JsonWebToken token;

    public Caller current() {
        Set<String> departments = new HashSet<>();
        Object groups = token.getClaim(GROUPS_CLAIM);
        if (groups instanceof Collection<?> values) {
            for (Object value : values) {
                // Tolerate full paths ("/dermatology") from realms configured with full.path=true.
                String name = unquote(String.valueOf(value));
                departments.add(name.startsWith("/") ? name.substring(name.lastIndexOf('/') + 1) : name);
            }
        }
        String username = Optional.ofNullable(token.<String>getClaim("preferred_username"))
                .orElse(identity.getPrincipal().getName());
        String given = token.getClaim("given_name");
        String family = token.getClaim("family_name");
        String display = family != null ? family + (given != null ? "^" + given : "") : username;
        return new Caller(Optional.ofNullable(token.getSubject()).orElse(username), username, display,
                Set.copyOf(identity.getRoles()), Set.copyOf(departments));
    }

    private static String unquote(String value) {
        // JSON-P string values print with quotes.
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
