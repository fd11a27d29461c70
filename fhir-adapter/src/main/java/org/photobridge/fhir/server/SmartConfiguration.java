package org.photobridge.fhir.server;

import java.util.List;
import java.util.Objects;

/**
 * What a SMART App Launch client needs to sign in against this FHIR server (SMART App Launch 2.x,
 * "Conformance"): the authorization server's endpoints and what it supports. Published at
 * {@code /fhir/.well-known/smart-configuration} and, for its OAuth URIs, in the CapabilityStatement.
 * Optional endpoints are null when the authorization server has none.
 */
public record SmartConfiguration(
        String issuer,
        String jwksUri,
        String authorizationEndpoint,
        String tokenEndpoint,
        String revocationEndpoint,
        String introspectionEndpoint,
        List<String> grantTypesSupported,
        List<String> tokenEndpointAuthMethodsSupported,
        List<String> scopesSupported,
        List<String> responseTypesSupported,
        List<String> codeChallengeMethodsSupported,
        List<String> capabilities) {

    public SmartConfiguration {
        Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        grantTypesSupported = List.copyOf(grantTypesSupported);
        tokenEndpointAuthMethodsSupported = List.copyOf(tokenEndpointAuthMethodsSupported);
        scopesSupported = List.copyOf(scopesSupported);
        responseTypesSupported = List.copyOf(responseTypesSupported);
        codeChallengeMethodsSupported = List.copyOf(codeChallengeMethodsSupported);
        capabilities = List.copyOf(capabilities);
    }
}
