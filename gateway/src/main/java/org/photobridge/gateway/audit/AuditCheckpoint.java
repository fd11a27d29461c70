package org.photobridge.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed statement of the audit chain's head at a moment: entries 1 to {@code sequence} existed, the
 * last one with chain code {@code mac}, the first {@code legacyEnd} of them in the legacy SHA-256
 * scheme. Kept outside the database (and exported), it lets verification notice entries removed from
 * the end of the trail.
 *
 * @param sequence  the head's sequence (0: empty trail)
 * @param mac       the head entry's chain code, hex
 * @param legacyEnd the last entry of the legacy segment (0: none)
 * @param time      when it was signed
 * @param keyId     which key signed it ({@link AuditKeys#keyId()})
 * @param signature Ed25519 signature, base64, of {@link #signedText()}
 */
public record AuditCheckpoint(long sequence, String mac, long legacyEnd, Instant time, String keyId,
        String signature) {

    private static final String PREFIX = "photobridge-audit-checkpoint v1";
    private static final Pattern LINE = Pattern.compile(Pattern.quote(PREFIX)
            + " sequence=(\\d{1,19}) mac=([0-9a-f]{64}) legacy-end=(\\d{1,19}) time=(\\S+) key=([0-9a-f]{16})"
            + " signature=([A-Za-z0-9+/=]+)");

    static AuditCheckpoint sign(long sequence, String mac, long legacyEnd, Instant time, AuditKeys keys) {
        String text = signedText(sequence, mac, legacyEnd, time, keys.keyId());
        String signature = Base64.getEncoder().encodeToString(keys.sign(text.getBytes(StandardCharsets.US_ASCII)));
        return new AuditCheckpoint(sequence, mac, legacyEnd, time, keys.keyId(), signature);
    }

    private static String signedText(long sequence, String mac, long legacyEnd, Instant time, String keyId) {
        return PREFIX + " sequence=" + sequence + " mac=" + mac + " legacy-end=" + legacyEnd + " time=" + time
                + " key=" + keyId;
    }

    /** The part of the line the signature covers (US-ASCII), for verifying with other tools. */
    public String signedText() {
        return signedText(sequence, mac, legacyEnd, time, keyId);
    }

    /** The checkpoint as one line of text (without line break), as in the checkpoint file. */
    public String text() {
        return signedText() + " signature=" + signature;
    }

    /** The checkpoint a line of the file states, if the line is well-formed and signed by {@code keys}. */
    static Optional<AuditCheckpoint> parse(String line, AuditKeys keys) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            var checkpoint = new AuditCheckpoint(Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)),
                    Instant.parse(m.group(4)), m.group(5), m.group(6));
            boolean signed = checkpoint.keyId.equals(keys.keyId()) && keys.verify(
                    checkpoint.signedText().getBytes(StandardCharsets.US_ASCII),
                    Base64.getDecoder().decode(checkpoint.signature));
            return signed ? Optional.of(checkpoint) : Optional.empty();
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
