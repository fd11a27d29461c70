package org.photobridge.gateway.routing;

import java.util.Objects;

import org.photobridge.gateway.pacs.OrthancRestSettings;

/**
 * What a PACS destination is asked to do with a photo whose consent was withdrawn (configured per
 * destination): {@code reject}, {@code delete} or {@code none}.
 */
public sealed interface WithdrawalAction {

    /** The word used in configuration and in status messages. */
    String configName();

    /**
     * Send an IHE IOCM rejection note (a Key Object Selection Document built by
     * {@link org.photobridge.gateway.dicom.RejectionNoteWriter}) through the destination's normal
     * delivery path. An IOCM-aware PACS then hides the referenced instances; one that is not (such as
     * Orthanc) merely stores the note next to them.
     */
    record Reject() implements WithdrawalAction {
        @Override
        public String configName() {
            return "reject";
        }
    }

    /** Delete the instances through the PACS's REST API (Orthanc's); an instance already gone counts as done. */
    record Delete(OrthancRestSettings orthanc) implements WithdrawalAction {
        public Delete {
            Objects.requireNonNull(orthanc, "orthanc");
        }

        @Override
        public String configName() {
            return "delete";
        }
    }

    /** Leave the PACS as it is; the gateway only stops serving the photo itself. */
    record None() implements WithdrawalAction {
        @Override
        public String configName() {
            return "none";
        }
    }
}
