package org.photobridge.gateway.ehr;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

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
     * DICOMweb base URL written into ImagingStudy endpoints: the gateway's own DICOMweb door at the
     * address viewers reach it by, so every read passes the access policy and is audited. Never the
     * PACS itself.
     */
    @WithDefault("http://${quarkus.http.host}:${quarkus.http.port}/dicomweb")
    URI wadoRsUrl();
}
