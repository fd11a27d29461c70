package org.photobridge.gateway.dicomweb;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;

/**
 * The DICOM JSON Model (PS3.18 Annex F.2): a dataset as a JSON object keyed by 8-hex-digit tags in
 * ascending order, each attribute an object with {@code vr} and, when it has values, {@code Value}
 * (strings, numbers, Person Name objects or nested datasets) or {@code InlineBinary} (base64).
 * Written with the gateway's one JSON library; the DICOM side (VRs, values) is PixelMed's.
 */
final class DicomJson {
    /** Binary values larger than this are left out of metadata (clients fetch the instance instead). */
    static final int MAX_INLINE_BINARY = 64 * 1024;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DicomJson() {
    }

    /** The 8-hex-digit key of a tag, upper case. */
    static String key(AttributeTag tag) {
        return String.format(Locale.ROOT, "%04X%04X", tag.getGroup(), tag.getElement());
    }

    /** A single-valued string attribute. */
    static ObjectNode string(String vr, String value) {
        ObjectNode attribute = NODES.objectNode();
        attribute.put("vr", vr);
        attribute.putArray("Value").add(value);
        return attribute;
    }

    /** Builds one dataset from values the gateway holds (query results). */
    static final class Dataset {
        private final Map<String, ObjectNode> attributes = new TreeMap<>();

        /** String-valued attribute (AE, CS, DA, DT, LO, SH, TM, UI, UR ...); no values gives an empty attribute. */
        Dataset string(AttributeTag tag, String vr, String... values) {
            ObjectNode attribute = attribute(vr);
            if (values.length > 0) {
                ArrayNode array = attribute.putArray("Value");
                for (String value : values) {
                    if (value == null || value.isEmpty()) {
                        array.addNull();
                    } else {
                        array.add(value);
                    }
                }
            }
            attributes.put(key(tag), attribute);
            return this;
        }

        /** Integer-valued attribute (IS, US, UL ...). */
        Dataset integer(AttributeTag tag, String vr, long... values) {
            ObjectNode attribute = attribute(vr);
            ArrayNode array = attribute.putArray("Value");
            for (long value : values) {
                array.add(value);
            }
            attributes.put(key(tag), attribute);
            return this;
        }

        /** Copies an attribute of a stored object as it is (absent stays absent). */
        Dataset copy(AttributeList list, AttributeTag tag) throws DicomException {
            Attribute attribute = list.get(tag);
            if (attribute != null) {
                attributes.put(key(tag), DicomJson.attribute(attribute));
            }
            return this;
        }

        ObjectNode toJson() {
            ObjectNode out = NODES.objectNode();
            attributes.forEach(out::set);
            return out;
        }

        private static ObjectNode attribute(String vr) {
            ObjectNode attribute = NODES.objectNode();
            attribute.put("vr", vr);
            return attribute;
        }
    }

    /**
     * A stored object's dataset: every attribute but the file meta information (group 0002), group
     * lengths and Pixel Data. The Specific Character Set becomes ISO_IR 192: JSON is UTF-8.
     */
    static ObjectNode dataset(AttributeList list) throws DicomException {
        ObjectNode out = NODES.objectNode();
        for (Attribute attribute : list.values()) {
            AttributeTag tag = attribute.getTag();
            if (tag.getGroup() == 0x0002 || tag.getElement() == 0x0000 || tag.equals(TagFromName.PixelData)) {
                continue;
            }
            if (tag.equals(TagFromName.SpecificCharacterSet)) {
                ObjectNode charset = NODES.objectNode();
                charset.put("vr", "CS");
                charset.putArray("Value").add("ISO_IR 192");
                out.set(key(tag), charset);
                continue;
            }
            out.set(key(tag), attribute(attribute));
        }
        return out;
    }

    static ObjectNode attribute(Attribute attribute) throws DicomException {
        String vr = attribute.getVRAsString();
        ObjectNode node = NODES.objectNode();
        node.put("vr", vr);
        if (attribute instanceof SequenceAttribute sequence) {
            if (sequence.getNumberOfItems() > 0) {
                ArrayNode items = node.putArray("Value");
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    items.add(dataset(sequence.getItem(i).getAttributeList()));
                }
            }
            return node;
        }
        if (attribute.getVL() == 0 || attribute.getVM() == 0) {
            return node;
        }
        switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "UN" -> {
                byte[] bytes = littleEndianBytes(attribute, vr);
                if (bytes != null && bytes.length <= MAX_INLINE_BINARY) {
                    node.put("InlineBinary", Base64.getEncoder().encodeToString(bytes));
                }
            }
            case "PN" -> {
                ArrayNode values = node.putArray("Value");
                for (String name : strings(attribute)) {
                    values.add(personName(name));
                }
            }
            case "AT" -> {
                ArrayNode values = node.putArray("Value");
                for (AttributeTag value : ((AttributeTagAttribute) attribute).getAttributeTagValues()) {
                    values.add(key(value));
                }
            }
            case "DS", "IS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV" -> {
                ArrayNode values = node.putArray("Value");
                for (String value : strings(attribute)) {
                    addNumber(values, value);
                }
            }
            default -> {
                ArrayNode values = node.putArray("Value");
                for (String value : strings(attribute)) {
                    if (value == null || value.isEmpty()) {
                        values.addNull();
                    } else {
                        values.add(value);
                    }
                }
            }
        }
        return node;
    }

    private static byte[] littleEndianBytes(Attribute attribute, String vr) throws DicomException {
        if ("OB".equals(vr) || "UN".equals(vr)) {
            return attribute.getByteValues();
        }
        try {
            return attribute.getByteValues(false);
        } catch (DicomException | RuntimeException e) {
            return attribute.getByteValues();
        }
    }

    private static String[] strings(Attribute attribute) throws DicomException {
        String[] values = attribute.getStringValues();
        return values == null ? new String[0] : values;
    }

    private static void addNumber(ArrayNode values, String value) {
        String trimmed = value == null ? "" : value.strip();
        if (trimmed.isEmpty()) {
            values.addNull();
            return;
        }
        try {
            values.add(new BigDecimal(trimmed.startsWith("+") ? trimmed.substring(1) : trimmed));
        } catch (NumberFormatException e) {
            // A malformed DS or IS in a stored object: keep its text rather than lose it.
            values.add(trimmed);
        }
    }

    /** A PN value as its Alphabetic, Ideographic and Phonetic component groups (PS3.18 F.2.2). */
    static ObjectNode personName(String value) {
        ObjectNode name = NODES.objectNode();
        if (value == null || value.isEmpty()) {
            return name;
        }
        String[] groups = value.split("=", -1);
        String[] labels = {"Alphabetic", "Ideographic", "Phonetic"};
        for (int i = 0; i < Math.min(groups.length, labels.length); i++) {
            if (!groups[i].isEmpty()) {
                name.put(labels[i], groups[i]);
            }
        }
        return name;
    }
}
