package org.photobridge.gateway.dicomweb;

import java.util.Map;

import com.pixelmed.dicom.AttributeTag;

/** DICOMweb attributes that PixelMed's {@code TagFromName} (2022 dictionary) lacks. */
final class DicomWebTags {
    /** Instance Availability (0008,0056) CS. */
    static final AttributeTag INSTANCE_AVAILABILITY = new AttributeTag(0x0008, 0x0056);
    /** Retrieve URL (0008,1190) UR. */
    static final AttributeTag RETRIEVE_URL = new AttributeTag(0x0008, 0x1190);
    /** Available Transfer Syntax UID (0008,3002) UI. */
    static final AttributeTag AVAILABLE_TRANSFER_SYNTAX_UID = new AttributeTag(0x0008, 0x3002);

    /** Their keywords, for query parameters and includefield. */
    static final Map<String, AttributeTag> BY_KEYWORD = Map.of(
            "InstanceAvailability", INSTANCE_AVAILABILITY,
            "RetrieveURL", RETRIEVE_URL,
            "AvailableTransferSyntaxUID", AVAILABLE_TRANSFER_SYNTAX_UID);

    private DicomWebTags() {
    }
}
