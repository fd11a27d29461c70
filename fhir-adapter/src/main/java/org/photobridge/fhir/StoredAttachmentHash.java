package org.photobridge.fhir;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * A stored resource's JSON with its top-level {@code sourceAttachment.hash} taken out, to be put back
 * as a {@link StoredBase64}. HAPI's base64Binary decodes its text as it is parsed, encodes it again at
 * once and once more on the way out, and each of those commons-codec calls allocates an 8 KiB buffer:
 * for a 28-character SHA-1, some 26 KB of the 30 KB a small Consent's parse allocated. The rest of
 * the JSON is copied token by token (numbers as their text, so no decimal changes its form); where
 * anything is unusual (a {@code _hash} with extensions, a hash that is not a string, JSON that does
 * not parse), the JSON is returned as it is and HAPI parses it as before.
 */
public final class StoredAttachmentHash {

    private static final JsonFactory JSON = new JsonFactory();

    /** The JSON without the hash, and the hash's text when one was taken out. */
    public record Split(String json, Optional<String> hash) {
    }

    private StoredAttachmentHash() {
    }

    public static Split split(String json) {
        if (!json.contains("\"hash\"") || json.contains("\"_hash\"")) {
            return new Split(json, Optional.empty());
        }
        try (JsonParser in = JSON.createParser(json)) {
            var out = new StringWriter(json.length());
            String hash = null;
            try (JsonGenerator gen = JSON.createGenerator(out)) {
                if (in.nextToken() != JsonToken.START_OBJECT) {
                    return new Split(json, Optional.empty());
                }
                gen.writeStartObject();
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String name = in.currentName();
                    JsonToken value = in.nextToken();
                    gen.writeFieldName(name);
                    if (name.equals("sourceAttachment") && value == JsonToken.START_OBJECT) {
                        gen.writeStartObject();
                        while (in.nextToken() == JsonToken.FIELD_NAME) {
                            String field = in.currentName();
                            JsonToken fieldValue = in.nextToken();
                            if (field.equals("hash") && fieldValue == JsonToken.VALUE_STRING && hash == null) {
                                hash = in.getText();
                            } else {
                                gen.writeFieldName(field);
                                copy(in, gen);
                            }
                        }
                        gen.writeEndObject();
                    } else {
                        copy(in, gen);
                    }
                }
                gen.writeEndObject();
            }
            return hash == null ? new Split(json, Optional.empty()) : new Split(out.toString(), Optional.of(hash));
        } catch (IOException | RuntimeException e) {
            // Not ours to judge here: HAPI parses the JSON as it is and says what is wrong with it.
            return new Split(json, Optional.empty());
        }
    }

    /** Copies the value {@code in} is at (a scalar, or a whole object or array) with numbers kept as written. */
    private static void copy(JsonParser in, JsonGenerator gen) throws IOException {
        JsonToken token = in.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            int depth = 0;
            do {
                write(in, gen);
                token = in.currentToken();
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                }
            } while (depth > 0 && in.nextToken() != null);
        } else {
            write(in, gen);
        }
    }

    private static void write(JsonParser in, JsonGenerator gen) throws IOException {
        switch (in.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> gen.writeNumber(in.getText());
            default -> gen.copyCurrentEvent(in);
        }
    }
}
