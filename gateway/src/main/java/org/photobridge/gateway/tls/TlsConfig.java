package org.photobridge.gateway.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The {@code ...tls.*} settings of one connection (a destination, the EHR): whom to trust, which
 * client certificate to present, which TLS versions to speak. Secrets (passwords) have no defaults.
 */
public interface TlsConfig {

    /**
     * DIMSE: speak DICOM over TLS to the PACS (PS3.15 Annex B). HTTP connections use TLS when their URL
     * is {@code https://}; with this on, a plain {@code http://} URL of the same destination is refused.
     */
    @WithDefault("false")
    boolean enabled();

    /** PEM file of the CA certificate(s) the peer's certificate must chain to. */
    Optional<Path> caFile();

    /** PKCS12 trust store instead of {@code ca-file}; neither means the JDK's default CAs. */
    Optional<Path> trustStore();

    Optional<String> trustStorePassword();

    /** PEM client certificate (chain) for mutual TLS; goes with {@code client-key-file}. */
    Optional<Path> clientCertificateFile();

    /** PEM unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}) of {@code client-certificate-file}. */
    Optional<Path> clientKeyFile();

    /** PKCS12 key store with the client certificate and key, instead of the PEM pair. */
    Optional<Path> keyStore();

    Optional<String> keyStorePassword();

    /** TLS versions to offer: TLSv1.3 and/or TLSv1.2 (nothing older is accepted). */
    @WithDefault("TLSv1.3,TLSv1.2")
    List<String> protocols();

    /** Check that the peer's certificate names the host connected to (subjectAltName). */
    @WithDefault("true")
    boolean verifyHostname();
}
