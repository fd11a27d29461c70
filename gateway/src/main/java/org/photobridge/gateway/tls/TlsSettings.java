package org.photobridge.gateway.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS settings of one connection, as plain values. {@code prefix} is the configuration prefix
 * ({@code photobridge.destinations.pacs.tls.}) that error messages name. {@link #toString()} never shows
 * a password.
 */
public record TlsSettings(String prefix, boolean enabled, Optional<Path> caFile, Optional<Path> trustStore,
        Optional<String> trustStorePassword, Optional<Path> clientCertificateFile, Optional<Path> clientKeyFile,
        Optional<Path> keyStore, Optional<String> keyStorePassword, List<String> protocols, boolean verifyHostname) {

    public TlsSettings {
        Objects.requireNonNull(prefix, "prefix");
        protocols = List.copyOf(protocols == null || protocols.isEmpty() ? Bcp195.DEFAULT_PROTOCOLS : protocols);
    }

    /** From a configuration group. */
    public static TlsSettings of(String prefix, TlsConfig config) {
        return new TlsSettings(prefix, config.enabled(), config.caFile(), config.trustStore(),
                config.trustStorePassword(), config.clientCertificateFile(), config.clientKeyFile(), config.keyStore(),
                config.keyStorePassword(), config.protocols(), config.verifyHostname());
    }

    /** TLS on, trusting the JDK's default CAs, no client certificate, default protocols. */
    public static TlsSettings defaults(String prefix, boolean enabled) {
        return new TlsSettings(prefix, enabled, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Bcp195.DEFAULT_PROTOCOLS, true);
    }

    public TlsSettings withCaFile(Path file) {
        return new TlsSettings(prefix, true, Optional.of(file), trustStore, trustStorePassword, clientCertificateFile,
                clientKeyFile, keyStore, keyStorePassword, protocols, verifyHostname);
    }

    public TlsSettings withClientPem(Path certificate, Path key) {
        return new TlsSettings(prefix, enabled, caFile, trustStore, trustStorePassword, Optional.of(certificate),
                Optional.of(key), keyStore, keyStorePassword, protocols, verifyHostname);
    }

    public TlsSettings withKeyStore(Path store, String password) {
        return new TlsSettings(prefix, enabled, caFile, trustStore, trustStorePassword, clientCertificateFile,
                clientKeyFile, Optional.of(store), Optional.ofNullable(password), protocols, verifyHostname);
    }

    public TlsSettings withProtocols(List<String> value) {
        return new TlsSettings(prefix, enabled, caFile, trustStore, trustStorePassword, clientCertificateFile,
                clientKeyFile, keyStore, keyStorePassword, value, verifyHostname);
    }

    public TlsSettings withVerifyHostname(boolean value) {
        return new TlsSettings(prefix, enabled, caFile, trustStore, trustStorePassword, clientCertificateFile,
                clientKeyFile, keyStore, keyStorePassword, protocols, value);
    }

    /** Whether a client certificate is configured (PEM pair or key store). */
    public boolean hasClientCertificate() {
        return clientCertificateFile.isPresent() || keyStore.isPresent();
    }

    @Override
    public String toString() {
        return "TlsSettings[" + prefix + " enabled=" + enabled + ", caFile=" + caFile.orElse(null) + ", trustStore="
                + trustStore.orElse(null) + ", clientCertificateFile=" + clientCertificateFile.orElse(null)
                + ", keyStore=" + keyStore.orElse(null) + ", passwords=***, protocols=" + protocols
                + ", verifyHostname=" + verifyHostname + "]";
    }
}
