package org.photobridge.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import org.photobridge.gateway.persistence.AuditEntry;

/**
 * How an entry's chain code (column {@code hash}) is computed, by the scheme named in its {@code scheme}
 * column: entries written since V3 carry a keyed MAC; entries written before keep their plain SHA-256.
 */
enum ChainScheme {
    /** Plain SHA-256 over fields joined by U+001F, as V2 wrote them: anyone can recompute it. */
    LEGACY_SHA256("sha256"),
    /** HMAC-SHA256 under the audit key over length-prefixed fields. */
    HMAC_SHA256("hmac-sha256-v1");

    /** The chain code the first entry links to. */
    static final String GENESIS = "0".repeat(64);
    private static final String DOMAIN = "photobridge-audit-entry-v1";

    final String column;

    ChainScheme(String column) {
        this.column = column;
    }

    static ChainScheme of(String column) {
        for (ChainScheme scheme : values()) {
            if (scheme.column.equals(column)) {
                return scheme;
            }
        }
        return null;
    }

    /** The chain code of {@code entry} under this scheme, as hex. */
    String code(AuditEntry entry, AuditKeys keys) {
        return switch (this) {
            case LEGACY_SHA256 -> legacyHash(entry);
            case HMAC_SHA256 -> HexFormat.of().formatHex(keys.mac(macInput(entry)));
        };
    }

    static byte[] macInput(AuditEntry e) {
        return new LengthPrefixed().add(DOMAIN).add(e.previousHash).add(e.sequence).add(e.id)
                .add(ChronoUnit.MICROS.between(Instant.EPOCH, e.recorded)).add(e.action)
                .add(e.success ? "true" : "false").add(e.agent).add(e.agentName).add(e.agentRoles)
                .add(e.patientSystem).add(e.patientValue).add(e.entities).add(e.detail).toByteArray();
    }

    static String legacyHash(AuditEntry e) {
        String content = String.join("\u001f", e.previousHash, Long.toString(e.sequence), e.id,
                e.recorded.toString(), e.action, Boolean.toString(e.success), e.agent, e.agentName, e.agentRoles,
                String.valueOf(e.patientSystem), String.valueOf(e.patientValue), e.entities, e.detail);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
