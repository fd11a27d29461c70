package org.photobridge.gateway.edge;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits the gateway's HTTP edge applies before any resource sees a request. */
@ConfigMapping(prefix = "photobridge.http")
public interface EdgeConfig {

    /**
     * Longest request target (path and query, as sent) the gateway reads; longer ones get 414 with a
     * problem body. Keep it below {@code quarkus.http.limits.max-initial-line-length}, past which
     * Vert.x refuses the request line itself with an empty 414.
     */
    @WithDefault("8192")
    int maxRequestTargetLength();

    /**
     * Largest body a {@code /fhir} request may carry (a Consent with its signed form fits easily);
     * larger ones, declared or chunked, get 413 with an OperationOutcome before anything parses them.
     */
    @WithDefault("4M")
    MemorySize fhirMaxBodySize();
}
