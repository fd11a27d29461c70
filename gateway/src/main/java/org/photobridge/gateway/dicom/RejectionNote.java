package org.photobridge.gateway.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one IHE IOCM rejection note says: which instances of one study are rejected, why, and the
 * note's own UIDs. Build it once per withdrawal and keep its UIDs (or the written file), so a resend
 * after a failure stores the same note again instead of a second one.
 *
 * @param subject           the Patient, Patient Study and General Study attributes, copied from one
 *                          of the rejected objects so the note lands in the same patient and study
 *                          (see {@link #SUBJECT_TAGS}); never modified after construction
 * @param instances         the rejected instances, all in the subject's study (IOCM: one study per note)
 * @param reason            the Document Title, one of the rejection codes of CID 7010, for example
 *                          {@link RejectionNoteWriter#REJECTED_FOR_PATIENT_SAFETY_REASONS}
 * @param description       optional Key Object Description (TID 2010 row 2); must not contain PHI
 * @param seriesInstanceUid the note's own series
 * @param sopInstanceUid    the note's own SOP Instance UID
 * @param createdAt         when the rejection was decided (Content Date/Time, Instance Creation Date/Time)
 */
public record RejectionNote(
        AttributeList subject,
        List<InstanceRef> instances,
        CodedConcept reason,
        Optional<String> description,
        String seriesInstanceUid,
        String sopInstanceUid,
        Instant createdAt) {

    /** The attributes copied from the rejected object: patient, patient study and study identity. */
    public static final List<AttributeTag> SUBJECT_TAGS = List.of(
            TagFromName.SpecificCharacterSet,
            TagFromName.PatientName,
            TagFromName.PatientID,
            TagFromName.IssuerOfPatientID,
            TagFromName.IssuerOfPatientIDQualifiersSequence,
            TagFromName.PatientBirthDate,
            TagFromName.PatientSex,
            TagFromName.OtherPatientIDsSequence,
            TagFromName.StudyInstanceUID,
            TagFromName.StudyDate,
            TagFromName.StudyTime,
            TagFromName.ReferringPhysicianName,
            TagFromName.StudyID,
            TagFromName.AccessionNumber,
            TagFromName.IssuerOfAccessionNumberSequence,
            TagFromName.StudyDescription,
            TagFromName.AdmissionID,
            TagFromName.IssuerOfAdmissionIDSequence);

    public RejectionNote {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(createdAt, "createdAt");
        instances = List.copyOf(Objects.requireNonNull(instances, "instances"));
        InstanceRef.check("seriesInstanceUid", seriesInstanceUid);
        InstanceRef.check("sopInstanceUid", sopInstanceUid);
        subject = subjectOf(subject);
        String study = Attribute.getSingleStringValueOrEmptyString(subject, TagFromName.StudyInstanceUID);
        if (study.isEmpty()) {
            throw new IllegalArgumentException("the rejected object has no Study Instance UID");
        }
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("a rejection note must reference at least one instance");
        }
        var seen = new HashSet<String>();
        for (InstanceRef instance : instances) {
            if (!instance.studyInstanceUid().equals(study)) {
                throw new IllegalArgumentException("instance " + instance.sopInstanceUid() + " is in study "
                        + instance.studyInstanceUid() + ", not in the note's study " + study
                        + "; IOCM wants one rejection note per study");
            }
            if (!seen.add(instance.sopInstanceUid())) {
                throw new IllegalArgumentException("instance " + instance.sopInstanceUid() + " is listed twice");
            }
        }
        if (description.isPresent() && (description.get().isBlank() || description.get().length() > 1024)) {
            throw new IllegalArgumentException("description must be 1 to 1024 characters");
        }
    }

    /** A new note with fresh UIDs for its own series and instance. */
    public static RejectionNote of(AttributeList rejectedObject, List<InstanceRef> instances, CodedConcept reason,
            Optional<String> description, UidGenerator uids, Instant createdAt) {
        return new RejectionNote(rejectedObject, instances, reason, description, uids.next(), uids.next(), createdAt);
    }

    public String studyInstanceUid() {
        return Attribute.getSingleStringValueOrEmptyString(subject, TagFromName.StudyInstanceUID);
    }

    /** A new list holding only the subject attributes (the Attribute objects are shared, never changed). */
    private static AttributeList subjectOf(AttributeList source) {
        var copy = new AttributeList();
        for (AttributeTag tag : SUBJECT_TAGS) {
            Attribute attribute = source.get(tag);
            if (attribute != null) {
                copy.put(attribute);
            }
        }
        return copy;
    }
}
