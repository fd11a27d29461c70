package org.photobridge.gateway.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.SSLException;

/**
 * What a failed TLS connection means, in words an operator can act on: the peer's certificate is not
 * trusted, names another host, has expired; the peer wants a client certificate we do not have, or
 * refused ours; the peer offers only protocols or cipher suites BCP 195 rules out. The reasons quote
 * no certificate contents, key material or stack traces.
 */
public final class TlsFailure {

    private TlsFailure() {
    }

    /**
     * The reason for a failure somewhere in {@code e}'s causes, or empty when it is not a TLS failure.
     *
     * @param clientCertificateConfigured whether this connection presents a client certificate
     */
    public static Optional<String> reason(Throwable e, boolean clientCertificateConfigured) {
        boolean tls = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || lower.contains("validity check failed")) {
                return Optional.of("TLS: the peer's certificate has expired or is not yet valid");
            }
            if (lower.startsWith("no subject alternative") || lower.startsWith("no name matching")
                    || lower.contains("doesn't match any of the subject alternative names")) {
                return Optional.of("TLS: hostname mismatch: the peer's certificate does not name the host connected to "
                        + "(check the destination's host, or the certificate's subjectAltName)");
            }
            if (t instanceof CertPathValidatorException || lower.contains("pkix path")
                    || lower.contains("unable to find valid certification path")) {
                return Optional.of("TLS: untrusted certificate: the peer's certificate does not chain to the "
                        + "configured CA (tls.ca-file / tls.trust-store); nothing was sent");
            }
            if (lower.contains("certificate_required")) {
                return Optional.of("TLS: the peer demands a client certificate and none is configured "
                        + "(tls.client-certificate-file / tls.key-store)");
            }
            if (lower.contains("bad_certificate") || lower.contains("unknown_ca") || lower.contains("certificate_unknown")
                    || lower.contains("access_denied")) {
                return Optional.of(clientCertificateConfigured
                        ? "TLS: the peer rejected our client certificate (not issued by a CA it trusts?)"
                        : "TLS: the peer demands a client certificate and none is configured "
                                + "(tls.client-certificate-file / tls.key-store)");
            }
            if (lower.contains("protocol_version") || lower.contains("insufficient_security")
                    || lower.contains("no appropriate protocol") || lower.contains("not accepted by client preferences")
                    || lower.contains("no negotiable cipher suite") || lower.contains("no cipher suites in common")
                    || lower.contains("unsupported protocol") || lower.contains("protocol version")) {
                return Optional.of("TLS: protocol or cipher suite not acceptable: the peer offers only TLS versions or "
                        + "cipher suites that BCP 195 rules out (PhotoBridge speaks TLS 1.3/1.2 with AEAD suites)");
            }
            if (lower.contains("handshake_failure")) {
                return Optional.of(clientCertificateConfigured
                        ? "TLS: protocol or cipher suite not acceptable: the peer refused the handshake (it offers "
                                + "only TLS versions or cipher suites that BCP 195 rules out, or refused our client "
                                + "certificate)"
                        : "TLS: protocol or cipher suite not acceptable: the peer refused the handshake (it offers "
                                + "only TLS versions or cipher suites that BCP 195 rules out, or demands a client "
                                + "certificate and none is configured)");
            }
            tls |= t instanceof SSLException;
        }
        if (tls) {
            // A TLS failure we cannot name more precisely: the alert or exception type says enough.
            return Optional.of("TLS: handshake failed (" + e.getClass().getSimpleName() + ")");
        }
        return Optional.empty();
    }
}
