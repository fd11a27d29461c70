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

    /**
     * HTTP/2 receive window per stream: how much of one request body a client may send ahead of what
     * the gateway has read. The protocol's default (64 KiB) lets a client have only that much of an
     * upload in flight, one round trip per 32 KiB.
     */
    @WithDefault("1M")
    MemorySize http2StreamWindow();

    /** HTTP/2 receive window of a whole connection: all its streams' bodies in flight together. */
    @WithDefault("8M")
    MemorySize http2ConnectionWindow();
}
