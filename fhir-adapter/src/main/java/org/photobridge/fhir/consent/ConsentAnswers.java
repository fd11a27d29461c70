package org.photobridge.fhir.consent;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.r4.model.InstantType;
import org.photobridge.fhir.StoredVersion;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored Consent version's answer JSON made from its stored JSON as text: what HAPI writes for the
 * resource {@link ConsentResourceProvider} builds from it (the version's id and meta, the signed form
 * shown or withheld for this caller), without HAPI parsing the JSON into its model and encoding the
 * model again. The resource's own members are written in FHIR's order (resourceType, id, meta, then
 * Consent's elements as they are defined), as HAPI writes them; what is inside each member is written
 * as it was stored, which for JSON the gateway wrote is what HAPI writes (its own encoding, compact).
 * <p>
 * Where HAPI would change something on the way out, or the stored JSON holds anything this class does
 * not know, the answer is empty and the caller builds the resource with HAPI as before: a member that
 * is not Consent's, meta or attachment members beyond the ordinary ones, primitive extensions on the
 * signed form's data or url, a form stored inside the JSON that the caller may see (HAPI would decode
 * and encode it again), a reference with a version or to this server by its absolute URL (HAPI strips
 * and shortens those), an extension url relative to the server, a decimal with an exponent.
 * {@code ConsentAnswerTextTest} holds the answers to HAPI's, member for member in the same order.
 */
final class ConsentAnswers {

    // Exact decimals, as SignedForms keeps them: a decimal's text must not change on the way through.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** Consent's elements after resourceType, id and meta, in the order FHIR defines and HAPI writes them. */
    private static final List<String> CONSENT_ORDER = List.of("implicitRules", "language", "text", "contained",
            "extension", "modifierExtension", "identifier", "status", "scope", "category", "patient", "dateTime",
            "performer", "organization", "sourceAttachment", "sourceReference", "policy", "policyRule",
            "verification", "provision");
    /** Meta's members after versionId and lastUpdated (which come from the version, not the JSON). */
    private static final List<String> META_ORDER = List.of("source", "profile", "security", "tag");
    private static final List<String> ATTACHMENT_ORDER = List.of("id", "extension", "contentType", "language", "data",
            "url", "size", "hash", "title", "creation");
    /** The primitive elements among them, which may carry extensions in a {@code _name} member. */
    private static final Set<String> CONSENT_PRIMITIVES = Set.of("implicitRules", "language", "status", "dateTime");
    private static final Set<String> ATTACHMENT_PRIMITIVES = Set.of("contentType", "language", "data", "url", "size",
            "hash", "title", "creation");

    private ConsentAnswers() {
    }

    /**
     * The answer JSON of a stored version, or empty when HAPI has to build it.
     *
     * @param seesForms  whether the caller may see signed forms ({@code AccessPolicy.seesSignedForms})
     * @param form       the signed form's stored base64 text, read only for callers who see forms and only
     *                   when the version keeps it apart; empty otherwise
     * @param serverBase this server's base URL as the answer's parser knows it, or null
     */
    static Optional<String> answer(StoredVersion version, boolean seesForms, Optional<String> form, String serverBase) {
        ObjectNode root;
        try {
            if (!(JSON.readTree(version.json()) instanceof ObjectNode parsed)) {
                return Optional.empty();
            }
            root = parsed;
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!"Consent".equals(root.path("resourceType").textValue()) || !onlyKnownMembers(root)
                || !writtenAsIs(root, serverBase)) {
            return Optional.empty();
        }
        JsonNode meta = root.get("meta");
        Optional<JsonNode> attachment = attachment(root.get("sourceAttachment"), version, seesForms, form);
        if (!answerableMeta(meta) || attachment.isEmpty()) {
            return Optional.empty();
        }
        var out = new StringWriter(version.json().length() + 256);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("resourceType", "Consent");
            gen.writeStringField("id", version.id());
            writeMeta(gen, version, meta);
            for (String name : CONSENT_ORDER) {
                JsonNode value = name.equals("sourceAttachment") ? attachment.get() : root.get(name);
                if (value != null && !value.isMissingNode()) {
                    gen.writeFieldName(name);
                    JSON.writeTree(gen, value);
                }
                JsonNode extensions = root.get("_" + name);
                if (extensions != null) {
                    gen.writeFieldName("_" + name);
                    JSON.writeTree(gen, extensions);
                }
            }
            gen.writeEndObject();
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(out.toString());
    }

    private static boolean onlyKnownMembers(ObjectNode root) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            boolean known = name.equals("resourceType") || name.equals("id") || name.equals("meta")
                    || CONSENT_ORDER.contains(name)
                    || (name.startsWith("_") && CONSENT_PRIMITIVES.contains(name.substring(1)));
            if (!known) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether HAPI would write every value below the resource as it is stored: no versioned reference
     * and none to this server by its absolute URL, no extension url relative to the server, no decimal
     * written with an exponent.
     */
    private static boolean writtenAsIs(JsonNode node, String serverBase) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                var field = fields.next();
                JsonNode value = field.getValue();
                if (value.isTextual() && field.getKey().equals("reference")) {
                    String reference = value.textValue();
                    if (reference.contains("/_history/")
                            || (serverBase != null && !serverBase.isBlank() && reference.startsWith(serverBase))) {
                        return false;
                    }
                } else if (value.isTextual() && field.getKey().equals("url") && value.textValue().startsWith("/")) {
                    return false;
                } else if (!writtenAsIs(value, serverBase)) {
                    return false;
                }
            }
            return true;
        }
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!writtenAsIs(item, serverBase)) {
                    return false;
                }
            }
            return true;
        }
        return !node.isBigDecimal() || node.decimalValue().toString().indexOf('E') < 0;
    }

    /** Whether the stored meta (if any) holds only members the answer keeps or replaces. */
    private static boolean answerableMeta(JsonNode stored) {
        if (stored == null) {
            return true;
        }
        if (!stored.isObject()) {
            return false;
        }
        for (Iterator<String> names = stored.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!META_ORDER.contains(name) && !name.equals("versionId") && !name.equals("lastUpdated")) {
                return false;
            }
        }
        return true;
    }

    /** The version's versionId and lastUpdated, then the stored meta's other members in FHIR's order. */
    private static void writeMeta(JsonGenerator gen, StoredVersion version, JsonNode stored) throws IOException {
        gen.writeObjectFieldStart("meta");
        gen.writeStringField("versionId", Long.toString(version.version()));
        gen.writeStringField("lastUpdated", new InstantType(Date.from(version.lastUpdated())).getValueAsString());
        for (String name : META_ORDER) {
            if (stored != null && stored.has(name)) {
                gen.writeFieldName(name);
                JSON.writeTree(gen, stored.get(name));
            }
        }
        gen.writeEndObject();
    }

    /**
     * The sourceAttachment as this caller gets it (what {@code ConsentResourceProvider.shown} does to the
     * HAPI model): the form's stored text put in for those who see forms, data and url taken out and the
     * withheld extension added for the others. {@code MissingNode} when there is none; empty when HAPI
     * has to build it.
     */
    private static Optional<JsonNode> attachment(JsonNode stored, StoredVersion version, boolean seesForms,
            Optional<String> form) {
        if (stored == null) {
            return version.form().isPresent() ? Optional.empty()
                    : Optional.of(MissingNode.getInstance());
        }
        if (!(stored instanceof ObjectNode attachment)) {
            return Optional.empty();
        }
        for (Iterator<String> names = attachment.fieldNames(); names.hasNext();) {
            String name = names.next();
            boolean known = ATTACHMENT_ORDER.contains(name)
                    || (name.startsWith("_") && ATTACHMENT_PRIMITIVES.contains(name.substring(1)));
            if (!known || name.equals("_data") || name.equals("_url")) {
                return Optional.empty();
            }
        }
        boolean dataInJson = attachment.has("data");
        if (version.form().isEmpty() && !dataInJson) {
            return Optional.of(attachment);
        }
        // The tree is this call's own: changed in place, then written in FHIR's order.
        if (seesForms) {
            if (version.form().isEmpty() || dataInJson || form.isEmpty()) {
                // A form inside the JSON is decoded and encoded again by HAPI; leave it to HAPI.
                return Optional.empty();
            }
            attachment.put("data", form.get());
            return Optional.of(reordered(attachment));
        }
        JsonNode extensions = attachment.get("extension");
        if (extensions != null && !extensions.isArray()) {
            return Optional.empty();
        }
        attachment.remove(List.of("data", "url"));
        (extensions == null ? attachment.putArray("extension") : (ArrayNode) extensions).addObject()
                .put("url", ConsentCodes.FORM_WITHHELD).put("valueBoolean", true);
        return Optional.of(reordered(attachment));
    }

    /** The attachment's members in FHIR's order, each element's primitive extensions after it. */
    private static ObjectNode reordered(ObjectNode attachment) {
        ObjectNode ordered = JSON.createObjectNode();
        for (String name : ATTACHMENT_ORDER) {
            if (attachment.has(name)) {
                ordered.set(name, attachment.get(name));
            }
            if (attachment.has("_" + name)) {
                ordered.set("_" + name, attachment.get("_" + name));
            }
        }
        return ordered;
    }
}
