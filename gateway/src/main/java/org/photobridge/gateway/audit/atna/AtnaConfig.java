package org.photobridge.gateway.audit.atna;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Export of the audit trail to an IHE ATNA audit record repository: RFC 5424 syslog over TLS
 * (RFC 5425). Off by default; documented in docs/operations.md and docs/security.md.
 */
@ConfigMapping(prefix = "photobridge.audit.atna")
public interface AtnaConfig {

    /** Whether this gateway exports its audit trail at all. */
    @WithDefault("false")
    boolean enabled();

    /** The collector (audit record repository) host name; TLS verifies its certificate against it. */
    Optional<String> host();

    /** The collector's syslog-over-TLS port (6514 is the IANA port for RFC 5425). */
    @WithDefault("6514")
    int port();

    /** PEM file with the CA certificate(s) that issued the collector's certificate. */
    Optional<Path> caFile();

    /** Trust store (instead of {@link #caFile()}) with the collector's CA certificate(s). */
    Optional<Path> trustStore();

    Optional<String> trustStorePassword();

    @WithDefault("PKCS12")
    String trustStoreType();

    /** PEM client certificate chain for mutual TLS (with {@link #clientKeyFile()}). */
    Optional<Path> clientCertificateFile();

    /** PEM unencrypted PKCS#8 private key ("BEGIN PRIVATE KEY") of the client certificate. */
    Optional<Path> clientKeyFile();

    /** Key store (instead of the PEM pair) holding the client certificate and key for mutual TLS. */
    Optional<Path> keyStore();

    Optional<String> keyStorePassword();

    @WithDefault("PKCS12")
    String keyStoreType();

    /** TLS versions offered, best first. */
    @WithDefault("TLSv1.3,TLSv1.2")
    List<String> protocols();

    /**
     * What counts as the collector's receipt of a batch: {@code close-notify} (its TLS close_notify in
     * answer to ours, as RFC 5425 requires) or {@code end-of-stream} (also a plain TCP close, for
     * collectors that skip the close_notify, such as rsyslog with its GnuTLS driver; weaker).
     */
    @WithDefault("close-notify")
    SyslogTlsClient.Receipt receipt();

    /** RFC 5424 APP-NAME of the messages. */
    @WithDefault("photobridge")
    String appName();

    /** RFC 5424 HOSTNAME of the messages; the local host name when unset. */
    Optional<String> hostname();

    /** DICOM AuditSourceID: the gateway deployment as a whole (the same for every replica). */
    @WithDefault("photobridge")
    String auditSourceId();

    /** DICOM AuditEnterpriseSiteID, for example the hospital's name or OID. */
    Optional<String> auditEnterpriseSiteId();

    /** Most entries sent on one connection before the cursor advances. */
    @WithDefault("100")
    int batchSize();

    /** How often the exporter looks for new entries while the collector is reachable. */
    @WithDefault("2s")
    Duration pollInterval();

    /** First wait after a failed attempt; doubles per failure up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration initialBackoff();

    @WithDefault("60s")
    Duration maxBackoff();

    @WithDefault("5s")
    Duration connectTimeout();

    /** Longest wait for the TLS handshake, a write, or the collector's close_notify. */
    @WithDefault("15s")
    Duration timeout();

    /**
     * How long a missing sequence number holds the export back before the exporter goes past it
     * (entries are numbered without gaps; a gap that stays is a deleted entry).
     */
    @WithDefault("120s")
    Duration gapWait();
}
