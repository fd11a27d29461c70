package org.photobridge.gateway.fhir;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.photobridge.fhir.server.SmartConfiguration;

import io.quarkus.oidc.OidcConfigurationMetadata;

/**
 * The SMART configuration /fhir publishes, derived from the OIDC provider the gateway already trusts
 * ({@code quarkus.oidc.auth-server-url}): the endpoints come from the provider's discovery document
 * as Quarkus OIDC read it (Keycloak's {@code /.well-known/openid-configuration}), so they are the ones
 * whose tokens the gateway accepts; {@code photobridge.smart.public-auth-server-url} moves them to the
 * address clients use.
 */
@ApplicationScoped
public class SmartConfigurationSource {

    /** Grant types SMART defines: App Launch and Backend Services. */
    private static final List<String> SMART_GRANT_TYPES = List.of("authorization_code", "client_credentials");
    private static final List<String> SMART_CLIENT_AUTH = List.of("client_secret_basic", "client_secret_post",
            "private_key_jwt");

    private final Instance<OidcConfigurationMetadata> metadata;
    private final SmartConfig config;
    private final String authServerUrl;

    SmartConfigurationSource(Instance<OidcConfigurationMetadata> metadata, SmartConfig config,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") String authServerUrl) {
        this.metadata = metadata;
        this.config = config;
        this.authServerUrl = authServerUrl;
    }

    /**
     * The configuration now; call it while a request is active (the provider metadata is request-scoped).
     *
     * @throws IllegalStateException while the provider's discovery document is not known (provider unreachable)
     */
    public SmartConfiguration current() {
        OidcConfigurationMetadata provider;
        try {
            provider = metadata.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the OIDC provider's metadata is not available (" + e.getClass().getSimpleName()
                    + ")", e);
        }
        if (provider == null || provider.getAuthorizationUri() == null || provider.getTokenUri() == null) {
            throw new IllegalStateException("the OIDC provider's metadata names no authorization or token endpoint");
        }
        List<String> grantTypes = Optional.ofNullable(provider.getStringList("grant_types_supported"))
                .map(supported -> SMART_GRANT_TYPES.stream().filter(supported::contains).toList())
                .orElse(List.of("authorization_code"));
        List<String> challengeMethods = provider.getSupportedCodeChallengeMethods();
        List<String> authMethods = Optional.ofNullable(provider.getStringList("token_endpoint_auth_methods_supported"))
                .map(supported -> SMART_CLIENT_AUTH.stream().filter(supported::contains).toList())
                .orElse(List.of());
        return new SmartConfiguration(
                publish(provider.getIssuer()),
                publish(provider.getJsonWebKeySetUri()),
                publish(provider.getAuthorizationUri()),
                publish(provider.getTokenUri()),
                publish(provider.getRevocationUri()),
                publish(provider.getIntrospectionUri()),
                grantTypes,
                authMethods,
                config.scopesSupported().orElseGet(() -> Optional.ofNullable(provider.getSupportedScopes()).orElse(List.of())),
                List.of("code"),
                // SMART requires S256 and forbids "plain", whatever else the provider offers.
                challengeMethods == null || challengeMethods.contains("S256") ? List.of("S256") : List.of(),
                config.capabilities());
    }

    /** {@code url} as clients reach it: moved from the gateway's provider address to the public one. */
    String publish(String url) {
        if (url == null || config.publicAuthServerUrl().isEmpty()) {
            return url;
        }
        String internal = stripSlash(authServerUrl);
        if (!url.startsWith(internal) || url.length() > internal.length() && url.charAt(internal.length()) != '/') {
            return url;
        }
        return stripSlash(config.publicAuthServerUrl().get().toString()) + url.substring(internal.length());
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
