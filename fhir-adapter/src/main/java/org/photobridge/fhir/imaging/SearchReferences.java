package org.photobridge.fhir.imaging;

import java.util.Optional;

import org.photobridge.fhir.BusinessIdentifier;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** Reads the {@code :identifier} modifier of a reference search parameter. */
public final class SearchReferences {

    private SearchReferences() {
    }

    /**
     * The {@code system|value} of {@code param:identifier=system|value}, or empty when the parameter
     * is a plain reference. HAPI 8 parses the {@code :identifier} modifier as if it were a resource
     * type called "identifier" and keeps the token as the value.
     */
    public static Optional<BusinessIdentifier> identifierOf(ReferenceParam param) {
        if (!"identifier".equals(param.getResourceType())) {
            return Optional.empty();
        }
        var token = param.getValue();
        int bar = token.indexOf('|');
        if (bar <= 0 || bar == token.length() - 1) {
            throw new InvalidRequestException(":identifier needs system|value");
        }
        return Optional.of(new BusinessIdentifier(token.substring(0, bar), token.substring(bar + 1)));
    }
}
