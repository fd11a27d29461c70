package org.photobridge.gateway.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;

/**
 * The one place that knows how PhotoBridge makes DICOM UIDs: {@code 2.25.<uuid as integer>}
 * (PS3.5 B.2) unless an organisation root is configured, then {@code <root>.<uuid as integer>}
 * truncated to the 64-character limit.
 */
public final class UidGenerator {
    private static final int MAX_UID_LENGTH = 64;
    private final String root;

    public UidGenerator(Optional<String> orgRoot) {
        this.root = orgRoot.map(String::strip).filter(r -> !r.isEmpty()).orElse("2.25");
        if (!root.matches("[0-2](\\.(0|[1-9][0-9]*))+") || root.length() > 40) {
            throw new IllegalArgumentException(
                    "photobridge.dicom.uid-root must be a dotted numeric OID of at most 40 characters");
        }
    }

    public String next() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer buffer = ByteBuffer.allocate(16);
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        String number = new BigInteger(1, buffer.array()).toString();
        String uid = root + "." + number;
        if (uid.length() > MAX_UID_LENGTH) {
            uid = uid.substring(0, MAX_UID_LENGTH);
            // A component must not end up with a leading zero after truncation; digits are random so
            // trimming never yields "." at the end because the last component is long.
        }
        return uid;
    }
}
