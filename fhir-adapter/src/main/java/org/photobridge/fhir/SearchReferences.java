package org.photobridge.fhir;

import org.photobridge.domain.BusinessIdentifier;
import java.util.Optional;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** The one reading of identifier tokens ({@code system|value}) in our search and conditional parameters. */
public final class SearchReferences {

    private SearchReferences() {
    }

    /**
     * The {@code system|value} of {@code param:identifier=system|value}, or empty when the parameter
     * is a plain reference. HAPI 8 parses the {@code :identifier} modifier as if it were a resource
     * type called "identifier" (or, for some forms, a chain) and keeps the token as the value.
     *
     * @param parameter the parameter's name as the client wrote it, for the error message
     */
    public static Optional<BusinessIdentifier> identifierOf(ReferenceParam param, String parameter) {
        if (!"identifier".equals(param.getResourceType()) && !"identifier".equals(param.getChain())) {
            return Optional.empty();
        }
        return Optional.of(token(param.getValue(), parameter));
    }

    /** Splits a {@code system|value} token; both parts are required. */
    public static BusinessIdentifier token(String token, String parameter) {
        int bar = token == null ? -1 : token.indexOf('|');
        if (bar <= 0 || bar == token.length() - 1) {
            throw new InvalidRequestException(parameter + " needs system|value");
        }
        return new BusinessIdentifier(token.substring(0, bar), token.substring(bar + 1));
    }
}
