package org.photobridge.gateway.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The pages under /web/: which public OIDC client the browser signs in with, at which issuer. */
@ConfigMapping(prefix = "photobridge.web")
public interface WebConfig {
    /** The realm's public browser client (authorization code flow with PKCE S256). */
    @WithDefault("photobridge-web")
    String clientId();

    /** The issuer the browser signs in at; the same realm that issues the gateway's bearer tokens. */
    String issuer();

    /** The identifier system the pages assume for an MRN (changeable on the page). */
    @WithDefault("urn:oid:1.2.3.4.5")
    String patientIdentifierSystem();

    /** The identifier system of encounter numbers typed on the capture page. */
    @WithDefault("urn:oid:1.2.3.4.6")
    String encounterIdentifierSystem();
}
