package org.photobridge.gateway.fhir;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** SMART on FHIR discovery (docs/fhir.md, "SMART discovery"): what /fhir publishes about signing in. */
@ConfigMapping(prefix = "photobridge.smart")
public interface SmartConfig {

    /**
     * The realm URL as SMART clients reach it, when that differs from {@code quarkus.oidc.auth-server-url}
     * (the address the gateway itself uses): every endpoint discovered under the one is published under
     * the other. Not needed when the authorization server's discovery document already names public URLs.
     */
    Optional<URI> publicAuthServerUrl();

    /** SMART capabilities announced; only what the gateway and its authorization server really support. */
    @WithDefault("launch-standalone,client-public,client-confidential-symmetric,sso-openid-connect")
    List<String> capabilities();

    /** Scopes announced; by default those of the authorization server's discovery document. */
    Optional<List<String>> scopesSupported();
}
