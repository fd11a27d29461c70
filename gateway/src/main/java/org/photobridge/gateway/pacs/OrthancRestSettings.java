package org.photobridge.gateway.pacs;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.photobridge.gateway.tls.ClientTls;

/**
 * Where and how to reach Orthanc's own REST API (not its DICOMweb plugin), used to delete withdrawn
 * instances.
 *
 * @param name           the destination's configured name, for messages
 * @param baseUrl        the REST root, for example {@code http://orthanc.example.org:8042}; the API paths
 *                       {@code /tools/lookup} and {@code /instances/{id}} are resolved against it
 * @param credentials    how to authenticate (Orthanc's {@code RegisteredUsers} take HTTP Basic)
 * @param connectTimeout bound on opening the connection
 * @param tls            TLS client for an {@code https://} base URL (CA, client certificate, BCP 195 policy);
 *                       empty means the JDK's CAs under the same policy
 * @param timeout        bound on each whole exchange
 */
public record OrthancRestSettings(String name, URI baseUrl, HttpCredentials credentials, Duration connectTimeout,
        Duration timeout, Optional<ClientTls> tls) {

    public OrthancRestSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(tls, "tls");
        String what = "Orthanc REST of destination '" + name + "'";
        PacsHttpClient.requireHttpBase(what, baseUrl);
        PacsHttpClient.requirePositive(what, "connectTimeout", connectTimeout);
        PacsHttpClient.requirePositive(what, "timeout", timeout);
    }

    /** Settings with the default TLS client (JDK CAs, BCP 195 policy) for https. */
    public OrthancRestSettings(String name, URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout) {
        this(name, baseUrl, credentials, connectTimeout, timeout, Optional.empty());
    }

    /** Settings whose connect time-out is the whole time-out. */
    public OrthancRestSettings(String name, URI baseUrl, HttpCredentials credentials, Duration timeout) {
        this(name, baseUrl, credentials, timeout, timeout);
    }

    /** Settings without authentication. */
    public OrthancRestSettings(String name, URI baseUrl, Duration timeout) {
        this(name, baseUrl, new HttpCredentials.None(), timeout);
    }
}
