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
 */
public record EhrSettings(String baseUrl, Duration connectTimeout, Duration readTimeout, Optional<String> bearerToken,
        Optional<EhrTls> tls) {

    public EhrSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (baseUrl.isBlank()) {
            throw new IllegalArgumentException("The EHR FHIR base URL is blank");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        bearerToken = bearerToken == null ? Optional.empty() : bearerToken.filter(t -> !t.isBlank());
        tls = tls == null ? Optional.empty() : tls;
    }

    /** 5 s to connect, 30 s to answer, no token. */
    public static EhrSettings of(String baseUrl) {
        return new EhrSettings(baseUrl, Duration.ofSeconds(5), Duration.ofSeconds(30), Optional.empty(), Optional.empty());
    }

    public EhrSettings withBearerToken(String token) {
        return new EhrSettings(baseUrl, connectTimeout, readTimeout, Optional.ofNullable(token), tls);
    }

    public EhrSettings withTimeouts(Duration connect, Duration read) {
        return new EhrSettings(baseUrl, connect, read, bearerToken, tls);
    }

    public EhrSettings withTls(EhrTls value) {
        return new EhrSettings(baseUrl, connectTimeout, readTimeout, bearerToken, Optional.ofNullable(value));
    }
}
