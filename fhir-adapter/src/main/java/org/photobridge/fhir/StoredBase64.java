package org.photobridge.fhir;

import java.util.Base64;

import org.hl7.fhir.r4.model.Base64BinaryType;

/**
 * A base64Binary value that keeps the text it was given and encodes exactly that text: HAPI's own
 * type decodes its text on the way in and encodes the bytes again on the way out (for a signed PDF of
 * a few hundred KB, two passes over it and their buffers per answer). The bytes are decoded only if
 * someone asks for them.
 */
public final class StoredBase64 extends Base64BinaryType {

    private final String text;

    public StoredBase64(String text) {
        this.text = text;
    }

    @Override
    public String getValueAsString() {
        return text;
    }

    @Override
    public String asStringValue() {
        return text;
    }

    @Override
    public String primitiveValue() {
        return text;
    }

    @Override
    public byte[] getValue() {
        return text == null ? null : Base64.getMimeDecoder().decode(text);
    }

    @Override
    public boolean hasValue() {
        return text != null && !text.isEmpty();
    }

    @Override
    public boolean isEmpty() {
        return !hasValue() && super.isEmpty();
    }

    @Override
    public Base64BinaryType copy() {
        var copy = new StoredBase64(text);
        copyValues(copy);
        return copy;
    }
}
