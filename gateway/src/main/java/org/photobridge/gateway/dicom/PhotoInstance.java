package org.photobridge.gateway.dicom;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything about one photo that the DICOM object states besides its pixels: who, which encounter,
 * where on the body, who may see it, and the UIDs the gateway assigned. Built by intake from the
 * validated request metadata; free of HTTP and JSON.
 */
public record PhotoInstance(
        Patient patient,
        Identifier encounter,
        String department,
        List<String> accessTags,
        Code bodySite,
        String laterality,
        Optional<String> view,
        Optional<String> protocol,
        Optional<Instant> takenAt,
        Optional<String> deviceManufacturer,
        Optional<String> deviceModel,
        Optional<String> operatorName,
        Uids uids,
        int seriesNumber,
        int instanceNumber,
        Instant studyDateTime) {

    /** A business identifier: a namespace URI (urn:oid:... or a URL) and a value. */
    public record Identifier(String system, String value) {
    }

    /** A coded concept, such as a SNOMED CT body site. */
    public record Code(String system, String code, String display) {
    }

    /**
     * The patient as the request named them.
     *
     * @param name      DICOM person name form Family^Given^Middle^Prefix^Suffix
     * @param birthDate ISO date (yyyy-MM-dd)
     * @param sex       F, M, O or U (DICOM Patient's Sex values M, F, O; U maps to empty)
     */
    public record Patient(Identifier identifier, Optional<String> name, Optional<String> birthDate,
            Optional<String> sex) {
    }

    /** The UIDs of the object; all made by {@link UidGenerator}. */
    public record Uids(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid) {
    }
}
