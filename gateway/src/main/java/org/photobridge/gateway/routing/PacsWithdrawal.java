package org.photobridge.gateway.routing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicom.RejectionNoteWriter;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.pacs.Destination;
import org.photobridge.gateway.pacs.OrthancDeleter;
import org.photobridge.gateway.pacs.PacsOutcome;

/**
 * Carries out one destination's withdrawal action for the instances of a withdrawn photo (or
 * photos of one study). One instance per configured destination; thread-safe. Like
 * {@link Destination#deliver}, it never throws for PACS or network trouble: the outcome says whether
 * the withdrawal job is done ({@link WorkOutcome.Done}), should be retried, or needs an operator.
 * Every action is idempotent, so a job may be retried from the start.
 */
public final class PacsWithdrawal {

    private final Destination destination;
    private final WithdrawalAction action;
    private final OrthancDeleter deleter;

    /**
     * @param destination the destination the photos were delivered to; a {@code reject} note is
     *                    delivered through it, like a photo
     * @param action      the destination's configured withdrawal action
     */
    public PacsWithdrawal(Destination destination, WithdrawalAction action) {
        this.destination = Objects.requireNonNull(destination, "destination");
        this.action = Objects.requireNonNull(action, "action");
        this.deleter = action instanceof WithdrawalAction.Delete delete ? new OrthancDeleter(delete.orthanc()) : null;
    }

    public String destinationName() {
        return destination.name();
    }

    public WithdrawalAction action() {
        return action;
    }

    /** Whether {@link #withdraw} needs a rejection note file: build it once per job and keep it for retries. */
    public boolean needsRejectionNote() {
        return action instanceof WithdrawalAction.Reject;
    }

    /**
     * Withdraws the instances from this destination.
     *
     * @param instances     the withdrawn instances (for {@code reject}: all in one study)
     * @param rejectionNote for {@code reject}: the Part 10 rejection note referencing every one of
     *                      {@code instances}, written by {@link RejectionNoteWriter}; otherwise ignored, may be null
     */
    public WorkOutcome withdraw(List<InstanceRef> instances, Path rejectionNote) {
        Objects.requireNonNull(instances, "instances");
        if (action instanceof WithdrawalAction.None) {
            return new WorkOutcome.Done("destination '" + destination.name()
                    + "': withdrawal action is none; the PACS keeps the instances");
        }
        if (instances.isEmpty()) {
            return new WorkOutcome.Done("destination '" + destination.name() + "': no instances to withdraw");
        }
        if (deleter != null) {
            return WorkOutcomes.of(deleter.deleteAll(instances));
        }
        return reject(instances, rejectionNote);
    }

    private WorkOutcome reject(List<InstanceRef> instances, Path rejectionNote) {
        String where = "destination '" + destination.name() + "' (reject)";
        if (rejectionNote == null || !Files.isRegularFile(rejectionNote)) {
            return new WorkOutcome.Failed(where + ": the rejection note file is missing (outbox inconsistency);"
                    + " it must be rebuilt");
        }
        AttributeList note;
        try {
            note = DicomTags.read(rejectionNote);
        } catch (IOException e) {
            return new WorkOutcome.Failed(where + ": the rejection note cannot be read as DICOM; it must be rebuilt");
        }
        String sopClass = Attribute.getSingleStringValueOrEmptyString(note, TagFromName.SOPClassUID);
        String sopInstance = Attribute.getSingleStringValueOrEmptyString(note, TagFromName.SOPInstanceUID);
        if (!RejectionNoteWriter.KEY_OBJECT_SELECTION_DOCUMENT_STORAGE.equals(sopClass)) {
            return new WorkOutcome.Failed(where + ": the rejection note file is of SOP Class " + sopClass
                    + ", not a Key Object Selection Document; it must be rebuilt");
        }
        Set<String> referenced = referencedInstances(note);
        for (InstanceRef instance : instances) {
            if (!referenced.contains(instance.sopInstanceUid())) {
                return new WorkOutcome.Failed(where + ": the rejection note does not reference instance "
                        + instance.sopInstanceUid() + "; it must be rebuilt for this job's instances");
            }
        }
        PacsOutcome outcome = destination.deliver(rejectionNote, sopClass, sopInstance);
        if (outcome instanceof PacsOutcome.Done stored) {
            return new WorkOutcome.Done("rejection note " + sopInstance + " for " + instances.size()
                    + " instance(s) stored: " + stored.message());
        }
        return WorkOutcomes.of(outcome);
    }

    /** SOP Instance UIDs in the note's Current Requested Procedure Evidence Sequence. */
    private static Set<String> referencedInstances(AttributeList note) {
        Set<String> uids = new HashSet<>();
        for (AttributeList study : items(note, TagFromName.CurrentRequestedProcedureEvidenceSequence)) {
            for (AttributeList series : items(study, TagFromName.ReferencedSeriesSequence)) {
                for (AttributeList sop : items(series, TagFromName.ReferencedSOPSequence)) {
                    uids.add(Attribute.getSingleStringValueOrEmptyString(sop, TagFromName.ReferencedSOPInstanceUID));
                }
            }
        }
        return uids;
    }

    private static List<AttributeList> items(AttributeList list, AttributeTag tag) {
        if (!(list.get(tag) instanceof SequenceAttribute sequence)) {
            return List.of();
        }
        var items = new ArrayList<AttributeList>();
        for (int i = 0; i < sequence.getNumberOfItems(); i++) {
            items.add(sequence.getItem(i).getAttributeList());
        }
        return items;
    }
}
