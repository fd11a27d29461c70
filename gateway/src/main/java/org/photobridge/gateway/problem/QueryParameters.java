package org.photobridge.gateway.problem;

import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;

/** Reads the gateway's own query parameters, answering 400 with the parameter's name when one is malformed. */
public final class QueryParameters {

    private QueryParameters() {
    }

    /** An identifier given as {@code <system>|<value>}; empty when absent and not required. */
    public static Optional<BusinessIdentifier> identifier(String token, String name, boolean required) {
        if (token == null || token.isBlank()) {
            if (required) {
                throw new ProblemException(400, "invalid-query", "Invalid query",
                        "query parameter '" + name + "' is required as <system>|<value>", name);
            }
            return Optional.empty();
        }
        int bar = token.lastIndexOf('|');
        if (bar <= 0 || bar == token.length() - 1) {
            throw new ProblemException(400, "invalid-query", "Invalid query",
                    "query parameter '" + name + "' must be <system>|<value>", name);
        }
        return Optional.of(new BusinessIdentifier(token.substring(0, bar), token.substring(bar + 1)));
    }
}
