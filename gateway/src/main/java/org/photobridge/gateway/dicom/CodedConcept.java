package org.photobridge.gateway.dicom;

import java.util.Objects;

/**
 * A DICOM coded entry (Code Value, Coding Scheme Designator, Code Meaning) as it goes into a code
 * sequence item, such as a View Code Sequence or a Performed Protocol Code Sequence item.
 *
 * @param codingSchemeDesignator "SCT" for SNOMED CT, "DCM" for DICOM, or
 *                               {@link #PHOTOBRIDGE_SCHEME} for the project's private codes
 * @param codeValue              at most 16 characters (SH)
 * @param codeMeaning            at most 64 characters (LO)
 */
public record CodedConcept(String codingSchemeDesignator, String codeValue, String codeMeaning) {

    /** SNOMED CT as DICOM designates it. */
    public static final String SNOMED_CT = "SCT";
    /** The DICOM Controlled Terminology (PS3.16 Annex D). */
    public static final String DICOM = "DCM";
    /**
     * Our private coding scheme, used only where no standard code exists; "99" prefix per PS3.16
     * 8.2. Declared in each object's Coding Scheme Identification Sequence.
     */
    public static final String PHOTOBRIDGE_SCHEME = "99PHOTOBRIDGE";

    public CodedConcept {
        Objects.requireNonNull(codingSchemeDesignator, "codingSchemeDesignator");
        Objects.requireNonNull(codeValue, "codeValue");
        Objects.requireNonNull(codeMeaning, "codeMeaning");
        if (codeValue.isEmpty() || codeValue.length() > 16) {
            throw new IllegalArgumentException("Code Value must be 1 to 16 characters: " + codeValue);
        }
        if (codeMeaning.isEmpty() || codeMeaning.length() > 64) {
            throw new IllegalArgumentException("Code Meaning must be 1 to 64 characters: " + codeMeaning);
        }
    }

    public boolean isPrivate() {
        return PHOTOBRIDGE_SCHEME.equals(codingSchemeDesignator);
    }
}
