package org.photobridge.fhir.ehr;

import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * TLS for an {@code https://} EHR: the context (trust anchors, optional client certificate), the
 * protocol versions and cipher suites to offer, and whether the server's certificate must name its host.
 * The caller (the gateway) decides the policy; this module only applies it.
 */
public record EhrTls(SSLContext context, List<String> protocols, List<String> cipherSuites, boolean verifyHostname) {

    public EhrTls {
        Objects.requireNonNull(context, "context");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        if (protocols.isEmpty() || cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("EHR TLS needs at least one protocol and one cipher suite");
        }
    }
}
