package org.photobridge.gateway.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Tags PhotoBridge writes that PixelMed's {@code TagFromName} (2022 dictionary) lacks, and small
 * read helpers for code that inspects objects we made (tests, routing, viewer).
 */
public final class DicomTags {
    /** Universal Entity ID (0040,0032) UT, inside issuer sequences. */
    public static final AttributeTag UNIVERSAL_ENTITY_ID = new AttributeTag(0x0040, 0x0032);
    /** Universal Entity ID Type (0040,0033) CS: ISO, URI, UUID, ... */
    public static final AttributeTag UNIVERSAL_ENTITY_ID_TYPE = new AttributeTag(0x0040, 0x0033);
    /** Color Space (0028,2002) CS, ICC Profile module. */
    public static final AttributeTag COLOR_SPACE = new AttributeTag(0x0028, 0x2002);

    private DicomTags() {
    }

    /**
     * Reads a Part 10 file, meta information included, leaving compressed pixel data compressed
     * (PixelMed decompresses by default, which would hide what is actually stored).
     */
    public static AttributeList read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in);
        }
    }

    /** As {@link #read(Path)}, from a stream positioned at the preamble. */
    public static AttributeList read(InputStream in) throws IOException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        try {
            list.read(new DicomInputStream(in));
        } catch (DicomException e) {
            throw new IOException("not a readable DICOM Part 10 object: " + e.getMessage(), e);
        }
        return list;
    }

    /** The first value of an attribute, or empty when absent or without value. */
    public static Optional<String> string(AttributeList list, AttributeTag tag) {
        String value = Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** All values of a multi-valued attribute, empty when absent. */
    public static List<String> strings(AttributeList list, AttributeTag tag) {
        String[] values = Attribute.getStringValues(list, tag);
        return values == null ? List.of() : Arrays.stream(values).map(String::strip).toList();
    }
}
