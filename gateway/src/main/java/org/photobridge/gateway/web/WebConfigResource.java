package org.photobridge.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.oidc.OidcConfigurationMetadata;

/**
 * What the pages need to sign in: the public client id and the issuer's endpoints, as the gateway's
 * own OIDC extension discovered them (so the pages follow whatever provider the gateway trusts).
 * Public: it holds no secret.
 */
@Path("/web/config.json")
public class WebConfigResource {
    @Inject
    WebConfig config;

    @Inject
    OidcConfigurationMetadata metadata;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> get() {
        var body = new LinkedHashMap<String, Object>();
        body.put("clientId", config.clientId());
        body.put("issuer", metadata.getIssuer());
        body.put("authorizationEndpoint", metadata.getAuthorizationUri());
        body.put("tokenEndpoint", metadata.getTokenUri());
        body.put("endSessionEndpoint", metadata.getEndSessionUri());
        body.put("patientIdentifierSystem", config.patientIdentifierSystem());
        body.put("encounterIdentifierSystem", config.encounterIdentifierSystem());
        return body;
    }
}
