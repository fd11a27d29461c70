package org.photobridge.gateway.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an IHE IOCM rejection note: a Key Object Selection Document (PS3.3 A.35.4, TID 2010) whose
 * Document Title is the rejection reason and which lists the rejected instances, in the rejected
 * instances' own patient and study, as a Part 10 file in Explicit VR Little Endian.
 *
 * <p><b>Which reason for a withdrawn consent.</b> The Document Titles IOCM accepts as rejection
 * reasons are in CID 7010 (CID 7011 lists finer quality reasons, not titles): (113001, DCM,
 * "Rejected for Quality Reasons"), (113037, DCM, "Rejected for Patient Safety Reasons"), (113038,
 * DCM, "Incorrect Modality Worklist Entry") and (113039, DCM, "Data Retention Policy Expired"). We use
 * 113037 for a patient's withdrawal of consent:
 * <ul>
 *   <li>IOCM lets consumers be configured to keep showing instances rejected for quality (113001),
 *       but requires them to suppress instances rejected for 113037, 113038 and 113039 — the photo
 *       must disappear from every viewer, with no site setting that brings it back;</li>
 *   <li>113038 says the photo was filed under the wrong order, which is false;</li>
 *   <li>113039 says the retention period ran out and asks archives to purge; archives such as
 *       dcm4chee refuse it by default unless the study's expiration date has passed, and a withdrawal
 *       of consent does not end the hospital's duty to keep the medical record. Erasure, where
 *       wanted, is the separate {@code delete} withdrawal action.</li>
 * </ul>
 * 113037's meaning ("must no longer be used, for the patient's sake") fits best; the other titles are
 * offered as constants for sites whose PACS team asks for them.
 */
public final class RejectionNoteWriter {
    public static final String KEY_OBJECT_SELECTION_DOCUMENT_STORAGE = "1.2.840.10008.5.1.4.1.1.88.59";
    public static final String MODALITY = "KO";
    /** The note's own series; photos use small numbers, so this keeps notes at the end of a list. */
    public static final int SERIES_NUMBER = 900;

    public static final CodedConcept REJECTED_FOR_PATIENT_SAFETY_REASONS =
            new CodedConcept(CodedConcept.DICOM, "113037", "Rejected for Patient Safety Reasons");
    public static final CodedConcept REJECTED_FOR_QUALITY_REASONS =
            new CodedConcept(CodedConcept.DICOM, "113001", "Rejected for Quality Reasons");
    public static final CodedConcept DATA_RETENTION_POLICY_EXPIRED =
            new CodedConcept(CodedConcept.DICOM, "113039", "Data Retention Policy Expired");
    /** The reason PhotoBridge gives when a patient withdraws consent; see the class comment. */
    public static final CodedConcept CONSENT_WITHDRAWN = REJECTED_FOR_PATIENT_SAFETY_REASONS;

    private static final CodedConcept KEY_OBJECT_DESCRIPTION =
            new CodedConcept(CodedConcept.DICOM, "113012", "Key Object Description");
    private static final List<String> REJECTION_TITLES = List.of("113001", "113037", "113038", "113039");
    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT);
    /** Type 2 attributes of the Patient and General Study modules, written empty when the source lacks them. */
    private static final List<AttributeTag> TYPE_2_SUBJECT = List.of(TagFromName.PatientName, TagFromName.PatientID,
            TagFromName.PatientBirthDate, TagFromName.PatientSex, TagFromName.StudyDate, TagFromName.StudyTime,
            TagFromName.ReferringPhysicianName, TagFromName.StudyID, TagFromName.AccessionNumber);

    private final ZoneId zone;

    /** Dates and times are written in the system time zone, the hospital's local time, as photos are. */
    public RejectionNoteWriter() {
        this(ZoneId.systemDefault());
    }

    public RejectionNoteWriter(ZoneId zone) {
        this.zone = zone;
    }

    /** Writes the Part 10 object to {@code out}, which is flushed but not closed. */
    public void write(RejectionNote note, OutputStream out) throws IOException {
        AttributeList list = build(note);
        try {
            var dicomOut = new DicomOutputStream(new BufferedOutputStream(nonClosing(out), 16 * 1024),
                    VlPhotoWriter.EXPLICIT_VR_LITTLE_ENDIAN, VlPhotoWriter.EXPLICIT_VR_LITTLE_ENDIAN);
            list.write(dicomOut);
            dicomOut.flush();
        } catch (DicomException e) {
            throw new IOException("could not encode rejection note: " + e.getMessage(), e);
        }
    }

    /** Writes the object to {@code file} through a sibling temporary file, so a reader never sees half. */
    public void write(RejectionNote note, Path file) throws IOException {
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".photobridge-", ".dcm.part");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                write(note, out);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The complete object, file meta information included. */
    public AttributeList build(RejectionNote note) {
        if (!CodedConcept.DICOM.equals(note.reason().codingSchemeDesignator())
                || !REJECTION_TITLES.contains(note.reason().codeValue())) {
            throw new IllegalArgumentException("the reason must be one of the IOCM rejection titles (DCM "
                    + REJECTION_TITLES + "), was " + note.reason());
        }
        try {
            var list = new AttributeList();
            // The subject's attributes keep the character set they were read in.
            for (Attribute attribute : note.subject().values()) {
                list.put(attribute);
            }
            SpecificCharacterSet charset = characterSet(note.subject());
            for (AttributeTag tag : TYPE_2_SUBJECT) {
                if (list.get(tag) == null) {
                    list.put(emptyType2(tag, charset));
                }
            }
            ZonedDateTime created = note.createdAt().atZone(zone);

            // SOP Common
            ui(list, TagFromName.SOPClassUID, KEY_OBJECT_SELECTION_DOCUMENT_STORAGE);
            ui(list, TagFromName.SOPInstanceUID, note.sopInstanceUid());
            put(list, new DateAttribute(TagFromName.InstanceCreationDate), DA.format(created));
            put(list, new TimeAttribute(TagFromName.InstanceCreationTime), TM.format(created));

            // Key Object Document Series
            put(list, new CodeStringAttribute(TagFromName.Modality), MODALITY);
            ui(list, TagFromName.SeriesInstanceUID, note.seriesInstanceUid());
            put(list, new IntegerStringAttribute(TagFromName.SeriesNumber), Integer.toString(SERIES_NUMBER));
            list.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));

            // General Equipment
            put(list, new LongStringAttribute(TagFromName.Manufacturer), "PhotoBridge");

            // Key Object Document
            put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "1");
            put(list, new DateAttribute(TagFromName.ContentDate), DA.format(created));
            put(list, new TimeAttribute(TagFromName.ContentTime), TM.format(created));
            list.put(evidence(note));

            // SR Document Content: the root CONTAINER of TID 2010
            put(list, new CodeStringAttribute(TagFromName.ValueType), "CONTAINER");
            list.put(codeSequence(TagFromName.ConceptNameCodeSequence, note.reason()));
            put(list, new CodeStringAttribute(TagFromName.ContinuityOfContent), "SEPARATE");
            var template = new AttributeList();
            put(template, new CodeStringAttribute(TagFromName.MappingResource), "DCMR");
            put(template, new CodeStringAttribute(TagFromName.TemplateIdentifier), "2010");
            list.put(sequence(TagFromName.ContentTemplateSequence, template));
            list.put(content(note, charset));

            putFileMetaInformation(list);
            return list;
        } catch (DicomException e) {
            throw new IllegalArgumentException("cannot encode rejection note attribute: " + e.getMessage(), e);
        }
    }

    /** Current Requested Procedure Evidence Sequence: study, then series, then instances. */
    private static SequenceAttribute evidence(RejectionNote note) throws DicomException {
        Map<String, SequenceAttribute> bySeries = new LinkedHashMap<>();
        for (InstanceRef instance : note.instances()) {
            SequenceAttribute sops = bySeries.computeIfAbsent(instance.seriesInstanceUid(),
                    series -> new SequenceAttribute(TagFromName.ReferencedSOPSequence));
            sops.addItem(sopReference(instance));
        }
        var series = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
        for (var entry : bySeries.entrySet()) {
            var item = new AttributeList();
            ui(item, TagFromName.SeriesInstanceUID, entry.getKey());
            item.put(entry.getValue());
            series.addItem(item);
        }
        var study = new AttributeList();
        ui(study, TagFromName.StudyInstanceUID, note.studyInstanceUid());
        study.put(series);
        return sequence(TagFromName.CurrentRequestedProcedureEvidenceSequence, study);
    }

    /** TID 2010 rows 2 and 3: an optional description, then one IMAGE item per rejected instance. */
    private static SequenceAttribute content(RejectionNote note, SpecificCharacterSet charset) throws DicomException {
        var content = new SequenceAttribute(TagFromName.ContentSequence);
        if (note.description().isPresent()) {
            var text = new AttributeList();
            put(text, new CodeStringAttribute(TagFromName.RelationshipType), "CONTAINS");
            put(text, new CodeStringAttribute(TagFromName.ValueType), "TEXT");
            text.put(codeSequence(TagFromName.ConceptNameCodeSequence, KEY_OBJECT_DESCRIPTION));
            put(text, new UnlimitedTextAttribute(TagFromName.TextValue, charset), note.description().get());
            content.addItem(text);
        }
        for (InstanceRef instance : note.instances()) {
            var image = new AttributeList();
            put(image, new CodeStringAttribute(TagFromName.RelationshipType), "CONTAINS");
            put(image, new CodeStringAttribute(TagFromName.ValueType), "IMAGE");
            image.put(sequence(TagFromName.ReferencedSOPSequence, sopReference(instance)));
            content.addItem(image);
        }
        return content;
    }

    private static AttributeList sopReference(InstanceRef instance) throws DicomException {
        var item = new AttributeList();
        ui(item, TagFromName.ReferencedSOPClassUID, instance.sopClassUid());
        ui(item, TagFromName.ReferencedSOPInstanceUID, instance.sopInstanceUid());
        return item;
    }

    private static SequenceAttribute codeSequence(AttributeTag tag, CodedConcept concept) throws DicomException {
        var item = new AttributeList();
        put(item, new ShortStringAttribute(TagFromName.CodeValue), concept.codeValue());
        put(item, new ShortStringAttribute(TagFromName.CodingSchemeDesignator), concept.codingSchemeDesignator());
        put(item, new LongStringAttribute(TagFromName.CodeMeaning), concept.codeMeaning());
        return sequence(tag, item);
    }

    private static SequenceAttribute sequence(AttributeTag tag, AttributeList item) {
        var sequence = new SequenceAttribute(tag);
        sequence.addItem(item);
        return sequence;
    }

    private static SpecificCharacterSet characterSet(AttributeList subject) {
        String[] values = Attribute.getStringValues(subject, TagFromName.SpecificCharacterSet);
        return new SpecificCharacterSet(values == null ? new String[0] : values);
    }

    private static Attribute emptyType2(AttributeTag tag, SpecificCharacterSet charset) {
        if (tag.equals(TagFromName.PatientName) || tag.equals(TagFromName.ReferringPhysicianName)) {
            return new PersonNameAttribute(tag, charset);
        }
        if (tag.equals(TagFromName.PatientID)) {
            return new LongStringAttribute(tag, charset);
        }
        if (tag.equals(TagFromName.StudyID) || tag.equals(TagFromName.AccessionNumber)) {
            return new ShortStringAttribute(tag, charset);
        }
        if (tag.equals(TagFromName.PatientBirthDate) || tag.equals(TagFromName.StudyDate)) {
            return new DateAttribute(tag);
        }
        if (tag.equals(TagFromName.StudyTime)) {
            return new TimeAttribute(tag);
        }
        return new CodeStringAttribute(tag); // Patient's Sex
    }

    private static void putFileMetaInformation(AttributeList list) throws DicomException {
        VlPhotoWriter.putFileMetaInformation(list, VlPhotoWriter.EXPLICIT_VR_LITTLE_ENDIAN);
    }


    private static void ui(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new UniqueIdentifierAttribute(tag), value);
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
