package org.photobridge.gateway.routing;

import org.photobridge.gateway.outbox.WorkOutcome;
import java.nio.file.Path;

/** A configured place photos are delivered to, such as a PACS reached by DIMSE or DICOMweb. */
public interface Destination {

    /** The configured name, used in delivery records and the status API. */
    String name();

    /**
     * Delivers one DICOM Part 10 file. Must not throw for network or peer trouble: such trouble is a
     * {@link WorkOutcome.Retry} or {@link WorkOutcome.Failed}.
     *
     * @param dicomFile      a readable Part 10 file that exists only for the duration of this call
     * @param sopClassUid    the object's SOP Class UID
     * @param sopInstanceUid the object's SOP Instance UID
     */
    WorkOutcome deliver(Path dicomFile, String sopClassUid, String sopInstanceUid);

    /** Checks the destination answers (C-ECHO or an HTTP probe); returns a short reason when it does not. */
    Reachability check();

    /** Result of {@link #check()}. */
    record Reachability(boolean reachable, String detail) {
    }
}
