package org.photobridge.gateway.pacs;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.photobridge.gateway.tls.ClientTls;

/**
 * Where and how to reach a PACS by DICOMweb STOW-RS.
 *
 * @param name           the destination's configured name (appears in delivery records and messages)
 * @param baseUrl        the DICOMweb service root, for example {@code https://pacs.example.org/dicom-web};
 *                       instances are POSTed to {@code {baseUrl}/studies}
 * @param credentials    how to authenticate; {@link HttpCredentials.None} when the PACS needs nothing
 * @param connectTimeout bound on opening the connection
 * @param tls            TLS client for an {@code https://} base URL (CA, client certificate, BCP 195 policy);
 *                       empty means the JDK's CAs under the same policy
 * @param timeout        bound on each whole exchange (for STOW-RS that includes uploading the object, so
 *                       size it for the largest photo on the slowest link)
 */
public record StowRsSettings(String name, URI baseUrl, HttpCredentials credentials, Duration connectTimeout,
        Duration timeout, Optional<ClientTls> tls) {

    public StowRsSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(tls, "tls");
        String what = "STOW-RS destination '" + name + "'";
        PacsHttpClient.requireHttpBase(what, baseUrl);
        PacsHttpClient.requirePositive(what, "connectTimeout", connectTimeout);
        PacsHttpClient.requirePositive(what, "timeout", timeout);
    }

    /** Settings with the default TLS client (JDK CAs, BCP 195 policy) for https. */
    public StowRsSettings(String name, URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout) {
        this(name, baseUrl, credentials, connectTimeout, timeout, Optional.empty());
    }

    /** Settings whose connect time-out is the whole time-out. */
    public StowRsSettings(String name, URI baseUrl, HttpCredentials credentials, Duration timeout) {
        this(name, baseUrl, credentials, timeout, timeout);
    }

    /** Settings without authentication. */
    public StowRsSettings(String name, URI baseUrl, Duration timeout) {
        this(name, baseUrl, new HttpCredentials.None(), timeout);
    }
}
