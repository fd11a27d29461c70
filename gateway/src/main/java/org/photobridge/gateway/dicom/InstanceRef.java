package org.photobridge.gateway.dicom;

import java.util.Objects;

/**
 * Where one stored DICOM instance sits in the study/series hierarchy: what a rejection note
 * references, what a PACS deletion or a WADO-RS fetch looks up.
 */
public record InstanceRef(String studyInstanceUid, String seriesInstanceUid, String sopClassUid,
        String sopInstanceUid) {

    private static final String UID = "[0-2](\\.(0|[1-9][0-9]*))+";

    public InstanceRef {
        check("studyInstanceUid", studyInstanceUid);
        check("seriesInstanceUid", seriesInstanceUid);
        check("sopClassUid", sopClassUid);
        check("sopInstanceUid", sopInstanceUid);
    }

    /** Checks the syntax of a UID (PS3.5 9.1); the message names the field. */
    static void check(String field, String uid) {
        Objects.requireNonNull(uid, field);
        if (uid.length() > 64 || !uid.matches(UID)) {
            throw new IllegalArgumentException(field + " is not a valid DICOM UID: " + uid);
        }
    }
}
