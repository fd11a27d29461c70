package org.photobridge.gateway.tls;

import java.util.List;
import java.util.Set;

/**
 * The TLS versions and cipher suites PhotoBridge offers on every PACS and EHR connection: those
 * BCP 195 (RFC 9325) recommends, which are also DICOM PS3.15 Annex B's "BCP 195 TLS Profile" minus its
 * fallbacks. TLS 1.3 with its AEAD suites; TLS 1.2 only with ephemeral ECDH and AES-GCM or
 * ChaCha20-Poly1305. Nothing older and nothing without forward secrecy is ever offered, whatever a
 * setting says: a peer that speaks only TLS 1.1 or CBC/RSA-key-exchange suites is refused.
 */
public final class Bcp195 {

    /** Protocol versions that may be configured. */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    /** The default, in order of preference. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Cipher suites offered, in order of preference (the JDK drops those a protocol cannot use). */
    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2, RFC 9325 section 4.2
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private Bcp195() {
    }
}
