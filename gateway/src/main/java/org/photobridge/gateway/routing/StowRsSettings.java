package org.photobridge.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach a PACS by DICOMweb STOW-RS.
 *
 * @param name        the destination's configured name (appears in delivery records and messages)
 * @param baseUrl     the DICOMweb service root, for example {@code https://pacs.example.org/dicom-web};
 *                    instances are POSTed to {@code {baseUrl}/studies}
 * @param credentials how to authenticate; {@link Credentials.None} when the PACS needs nothing
 * @param timeout     bound on connecting and on waiting for each response (for STOW-RS that includes
 *                    uploading the object, so size it for the largest photo on the slowest link)
 */
public record StowRsSettings(String name, URI baseUrl, Credentials credentials, Duration timeout) {

    public StowRsSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(credentials, "credentials");
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("STOW-RS destination '" + name + "': baseUrl must be http or https, was "
                    + baseUrl.getScheme());
        }
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("STOW-RS destination '" + name
                    + "': put credentials in the credentials setting, not in baseUrl");
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("STOW-RS destination '" + name + "': timeout must be positive, was " + timeout);
        }
    }

    /** Settings without authentication. */
    public StowRsSettings(String name, URI baseUrl, Duration timeout) {
        this(name, baseUrl, new Credentials.None(), timeout);
    }

    /** How PhotoBridge authenticates to a DICOMweb server. Secrets never appear in {@code toString()}. */
    public sealed interface Credentials {

        /** No Authorization header. */
        record None() implements Credentials {
        }

        /** {@code Authorization: Bearer <token>}. */
        record Bearer(String token) implements Credentials {
            public Bearer {
                if (token == null || token.isBlank()) {
                    throw new IllegalArgumentException("bearer token must not be blank");
                }
            }

            @Override
            public String toString() {
                return "Bearer[token=***]";
            }
        }

        /** {@code Authorization: Basic ...} (RFC 7617, UTF-8). */
        record Basic(String username, String password) implements Credentials {
            public Basic {
                if (username == null || username.isEmpty() || username.contains(":")) {
                    throw new IllegalArgumentException("basic auth username must be non-empty and without ':'");
                }
                Objects.requireNonNull(password, "password");
            }

            @Override
            public String toString() {
                return "Basic[username=" + username + ", password=***]";
            }
        }
    }
}
