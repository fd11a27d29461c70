package org.photobridge.gateway.ehr;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.photobridge.gateway.tls.TlsConfig;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The EHR's FHIR R4 server, when the gateway is linked to one. */
@ConfigMapping(prefix = "photobridge.ehr")
public interface EhrConfig {

    /** FHIR R4 base URL of the EHR; without it nothing is published and patients are linked by identifier only. */
    Optional<URI> url();

    /** Bearer token for the EHR, if it needs one. */
    Optional<String> bearerToken();

    @WithDefault("10s")
    Duration timeout();

    /** The largest answer read from the EHR (bytes); a larger one is refused without reading it into memory. */
    @WithDefault("4194304")
    long maxResponseBytes();

    /**
     * Whether the bearer token may go over plain {@code http://} to a loopback EHR (127.0.0.0/8, ::1,
     * localhost). Never to another host: there the token needs {@code https://}.
     */
    @WithDefault("false")
    boolean plainHttpOnLoopback();

    /**
     * TLS towards an {@code https://} EHR: CA ({@code ca-file} or {@code trust-store}), optional client
     * certificate, protocols, hostname check; always under the BCP 195 policy. {@code tls.enabled=true}
     * refuses a plain {@code http://} URL.
     */
    TlsConfig tls();

    /**
     * DICOMweb base URL written into ImagingStudy endpoints: the gateway's own DICOMweb door at the
     * address viewers reach it by, so every read passes the access policy and is audited. Never the
     * PACS itself.
     */
    @WithDefault("http://${quarkus.http.host}:${quarkus.http.port}/dicomweb")
    URI wadoRsUrl();
}
