package org.photobridge.gateway.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An unambiguous byte encoding of a list of strings for MACs and signatures: each field is its UTF-8
 * length as a 4-byte big-endian integer (-1 for null) followed by its bytes, so no choice of field
 * contents can make two different lists encode alike.
 */
final class LengthPrefixed {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

    LengthPrefixed add(String field) {
        if (field == null) {
            writeInt(-1);
            return this;
        }
        byte[] utf8 = field.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        bytes.writeBytes(utf8);
        return this;
    }

    LengthPrefixed add(long number) {
        return add(Long.toString(number));
    }

    private void writeInt(int value) {
        bytes.write(value >>> 24);
        bytes.write(value >>> 16);
        bytes.write(value >>> 8);
        bytes.write(value);
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
