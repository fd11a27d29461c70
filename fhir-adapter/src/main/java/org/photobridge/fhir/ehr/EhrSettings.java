package org.photobridge.fhir.ehr;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the EHR's FHIR R4 server.
 *
 * @param baseUrl        FHIR base, e.g. https://ehr.example.org/fhir
 * @param connectTimeout time to open a connection
 * @param readTimeout    time to wait for an answer (socket timeout)
 * @param bearerToken    sent as "Authorization: Bearer ..." when present; no default
 * @param tls            TLS for an https base URL; empty means the HTTP library's defaults
 * @param maxResponseBytes the largest answer read from the EHR; larger ones are refused unread
 */
public record EhrSettings(String baseUrl, Duration connectTimeout, Duration readTimeout, Optional<String> bearerToken,
        Optional<EhrTls> tls, long maxResponseBytes) {

    /** What {@link #of} allows an answer: a Patient search of two, or one ImagingStudy, is far smaller. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 4L << 20;

    public EhrSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (baseUrl.isBlank()) {
            throw new IllegalArgumentException("The EHR FHIR base URL is blank");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        bearerToken = bearerToken == null ? Optional.empty() : bearerToken.filter(t -> !t.isBlank());
        tls = tls == null ? Optional.empty() : tls;
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("The EHR's maximum answer size must be positive, was " + maxResponseBytes);
        }
    }

    /** 5 s to connect, 30 s to answer, no token, answers up to {@link #DEFAULT_MAX_RESPONSE_BYTES}. */
    public static EhrSettings of(String baseUrl) {
        return new EhrSettings(baseUrl, Duration.ofSeconds(5), Duration.ofSeconds(30), Optional.empty(), Optional.empty(),
                DEFAULT_MAX_RESPONSE_BYTES);
    }

    public EhrSettings withBearerToken(String token) {
        return new EhrSettings(baseUrl, connectTimeout, readTimeout, Optional.ofNullable(token), tls, maxResponseBytes);
    }

    public EhrSettings withTimeouts(Duration connect, Duration read) {
        return new EhrSettings(baseUrl, connect, read, bearerToken, tls, maxResponseBytes);
    }

    public EhrSettings withTls(EhrTls value) {
        return new EhrSettings(baseUrl, connectTimeout, readTimeout, bearerToken, Optional.ofNullable(value),
                maxResponseBytes);
    }

    public EhrSettings withMaxResponseBytes(long maxBytes) {
        return new EhrSettings(baseUrl, connectTimeout, readTimeout, bearerToken, tls, maxBytes);
    }
}
