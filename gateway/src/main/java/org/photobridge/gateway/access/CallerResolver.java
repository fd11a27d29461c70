package org.photobridge.gateway.access;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;

/** Builds the {@link Caller} from the request's verified OIDC access token. */
@RequestScoped
public class CallerResolver {
    @Inject
    AccessConfig config;

    @Inject
    SecurityIdentity identity;

    @Inject
    JsonWebToken token;

    /**
     * Built once per request: a FHIR page asks for every resource whether the caller sees signed
     * forms, and each claim read converts the token's JSON again (docs/performance.md, benchmark 4).
     */
    private Caller caller;

    public Caller current() {
        if (caller == null) {
            caller = fromToken();
        }
        return caller;
    }

    private Caller fromToken() {
        Set<String> departments = config.departmentsClaim()
                .map(claim -> Departments.fromNames(strings(token.getClaim(claim))))
                .orElseGet(() -> Departments.fromGroupPaths(strings(token.getClaim(config.groupsClaim())),
                        config.departmentGroupParent()));
        String username = Optional.ofNullable(token.<String>getClaim("preferred_username"))
                .orElse(identity.getPrincipal().getName());
        String given = token.getClaim("given_name");
        String family = token.getClaim("family_name");
        String display = family != null ? family + (given != null ? "^" + given : "") : username;
        return new Caller(Optional.ofNullable(token.getSubject()).orElse(username), username, display,
                Set.copyOf(identity.getRoles()), Set.copyOf(departments), token.<Object>getClaim("acr") == null ? null
                        : unquote(String.valueOf(token.<Object>getClaim("acr"))));
    }

    private static List<String> strings(Object claim) {
        var out = new ArrayList<String>();
        if (claim instanceof Collection<?> values) {
            for (Object value : values) {
                out.add(unquote(String.valueOf(value)));
            }
        }
        return out;
    }

    private static String unquote(String value) {
        // JSON-P string values print with quotes.
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
