package org.photobridge.gateway.pacs;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How PhotoBridge authenticates to a PACS's HTTP services (DICOMweb, Orthanc REST). The
 * {@link PacsHttpClient} sends it only to the configured base URL. Secrets never appear in
 * {@code toString()}.
 */
public sealed interface HttpCredentials {

    /** The {@code Authorization} header value, or empty when none is sent. */
    Optional<String> authorization();

    /** No Authorization header. */
    record None() implements HttpCredentials {
        @Override
        public Optional<String> authorization() {
            return Optional.empty();
        }
    }

    /** {@code Authorization: Bearer <token>}. */
    record Bearer(String token) implements HttpCredentials {
        public Bearer {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("bearer token must not be blank");
            }
        }

        @Override
        public Optional<String> authorization() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String toString() {
            return "Bearer[token=***]";
        }
    }

    /** {@code Authorization: Basic ...} (RFC 7617, UTF-8). */
    record Basic(String username, String password) implements HttpCredentials {
        public Basic {
            if (username == null || username.isEmpty() || username.contains(":")) {
                throw new IllegalArgumentException("basic auth username must be non-empty and without ':'");
            }
            Objects.requireNonNull(password, "password");
        }

        @Override
        public Optional<String> authorization() {
            return Optional.of("Basic " + Base64.getEncoder()
                    .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=***]";
        }
    }
}
