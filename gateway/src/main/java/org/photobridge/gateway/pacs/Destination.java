package org.photobridge.gateway.pacs;

import java.nio.file.Path;

/** A configured place photos are delivered to, such as a PACS reached by DIMSE or DICOMweb. */
public interface Destination {

    /** The configured name, used in delivery records and the status API. */
    String name();

    /**
     * Delivers one DICOM Part 10 object, streamed from {@code source}. Must not throw for network or
     * peer trouble: such trouble is a {@link PacsOutcome.Retry} or {@link PacsOutcome.Failed}.
     *
     * @param source         the object; opened at least once to send it
     * @param sopClassUid    the object's SOP Class UID
     * @param sopInstanceUid the object's SOP Instance UID
     */
    PacsOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid);

    /**
     * Whether {@link #deliver} reads the object only once and calls {@link DicomSource#checkHeader}
     * before any byte leaves, and stops short of a complete object when reading it fails, so that
     * the caller need not read the object beforehand to check it.
     */
    default boolean checksWhileSending() {
        return false;
    }

    /** Delivers a Part 10 file (rejection notes, tests). */
    default PacsOutcome deliver(Path dicomFile, String sopClassUid, String sopInstanceUid) {
        return deliver(DicomSource.of(dicomFile), sopClassUid, sopInstanceUid);
    }

    /** Checks the destination answers (C-ECHO or an HTTP probe); returns a short reason when it does not. */
    Reachability check();

    /** Result of {@link #check()}. */
    record Reachability(boolean reachable, String detail) {
    }
}
