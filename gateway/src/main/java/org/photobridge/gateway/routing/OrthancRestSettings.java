package org.photobridge.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach Orthanc's own REST API (not its DICOMweb plugin), used to delete withdrawn
 * instances.
 *
 * @param name        the destination's configured name, for messages
 * @param baseUrl     the REST root, for example {@code http://orthanc.example.org:8042}; the API paths
 *                    {@code /tools/lookup} and {@code /instances/{id}} are resolved against it
 * @param credentials how to authenticate (Orthanc's {@code RegisteredUsers} take HTTP Basic)
 * @param timeout     bound on connecting and on waiting for each response
 */
public record OrthancRestSettings(String name, URI baseUrl, StowRsSettings.Credentials credentials, Duration timeout) {

    public OrthancRestSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(credentials, "credentials");
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("Orthanc REST of destination '" + name + "': baseUrl must be http or https, was "
                    + scheme);
        }
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Orthanc REST of destination '" + name
                    + "': put credentials in the credentials setting, not in baseUrl");
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("Orthanc REST of destination '" + name + "': timeout must be positive, was "
                    + timeout);
        }
    }

    /** Settings without authentication. */
    public OrthancRestSettings(String name, URI baseUrl, Duration timeout) {
        this(name, baseUrl, new StowRsSettings.Credentials.None(), timeout);
    }
}
