package org.photobridge.gateway.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import java.util.List;
import java.util.Optional;

/**
 * PhotoBridge's private attribute block: who may see the photo. Layout (PS3.5 7.8.1):
 *
 * <pre>
 * (0071,0010) LO  Private Creator       "PHOTOBRIDGE 1.0"
 * (0071,1010) LO  Access Tags           1-n, the photo's access tags (department codes)
 * (0071,1011) LO  Owning Department     1, the department code that took the photo
 * (0071,1012) LO  Source SHA-256        1, hex SHA-256 of the upload as received
 * </pre>
 *
 * Readers must locate the block by its creator string, not by the element number 0x10: a tool
 * that rewrites the object may move the block.
 */
public final class AccessTagBlock {
    public static final String PRIVATE_CREATOR = "PHOTOBRIDGE 1.0";
    public static final int GROUP = 0x0071;
    /** The block reserved when we write; (0071,0010) holds the creator. */
    public static final int WRITTEN_BLOCK = 0x10;
    public static final int ACCESS_TAGS_OFFSET = 0x10;
    public static final int OWNING_DEPARTMENT_OFFSET = 0x11;
    public static final int SOURCE_SHA256_OFFSET = 0x12;

    public static final AttributeTag CREATOR_TAG = new AttributeTag(GROUP, WRITTEN_BLOCK);
    public static final AttributeTag ACCESS_TAGS = tagInBlock(WRITTEN_BLOCK, ACCESS_TAGS_OFFSET);
    public static final AttributeTag OWNING_DEPARTMENT = tagInBlock(WRITTEN_BLOCK, OWNING_DEPARTMENT_OFFSET);
    public static final AttributeTag SOURCE_SHA256 = tagInBlock(WRITTEN_BLOCK, SOURCE_SHA256_OFFSET);

    private AccessTagBlock() {
    }

    /** Writes the block at (0071,0010) and (0071,10xx). Values must be valid LO (checked by caller). */
    static void put(AttributeList list, SpecificCharacterSet charset, List<String> accessTags,
            String department, String sourceSha256) throws DicomException {
        put(list, charset, CREATOR_TAG, List.of(PRIVATE_CREATOR));
        put(list, charset, ACCESS_TAGS, accessTags);
        put(list, charset, OWNING_DEPARTMENT, List.of(department));
        if (sourceSha256 != null && !sourceSha256.isBlank()) {
            put(list, charset, SOURCE_SHA256, List.of(sourceSha256));
        }
    }

    /** The access tags of an object, wherever its PHOTOBRIDGE block sits; empty when none. */
    public static List<String> accessTags(AttributeList list) {
        return element(list, ACCESS_TAGS_OFFSET).map(tag -> DicomTags.strings(list, tag)).orElse(List.of());
    }

    public static Optional<String> owningDepartment(AttributeList list) {
        return element(list, OWNING_DEPARTMENT_OFFSET).flatMap(tag -> DicomTags.string(list, tag));
    }

    public static Optional<String> sourceSha256(AttributeList list) {
        return element(list, SOURCE_SHA256_OFFSET).flatMap(tag -> DicomTags.string(list, tag));
    }

    /** The tag of one of our elements in the block our creator reserved, if the object has one. */
    public static Optional<AttributeTag> element(AttributeList list, int offset) {
        for (int block = 0x10; block <= 0xFF; block++) {
            String creator = Attribute.getSingleStringValueOrEmptyString(list, new AttributeTag(GROUP, block));
            if (PRIVATE_CREATOR.equals(creator.strip())) {
                return Optional.of(tagInBlock(block, offset));
            }
        }
        return Optional.empty();
    }

    private static AttributeTag tagInBlock(int block, int offset) {
        return new AttributeTag(GROUP, (block << 8) | offset);
    }

    private static void put(AttributeList list, SpecificCharacterSet charset, AttributeTag tag,
            List<String> values) throws DicomException {
        Attribute attribute = new LongStringAttribute(tag, charset);
        for (String value : values) {
            attribute.addValue(value);
        }
        list.put(attribute);
    }
}
