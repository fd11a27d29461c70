package org.photobridge.gateway.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejectionNoteWriterTest {

    @TempDir
    Path tmp;

    private final UidGenerator uids = new UidGenerator(Optional.empty());
    private final RejectionNoteWriter writer = new RejectionNoteWriter(ZoneId.of("Europe/Berlin"));

    /** A VL photo as the gateway writes it, read back as the withdrawal job would read it. */
    private AttributeList photo(PhotoInstance instance) throws Exception {
        Path file = tmp.resolve(instance.uids().sopInstanceUid() + ".dcm");
        new VlPhotoWriter().write(TestPhotos.photo(TestPhotos.Kind.JPEG_YBR_FULL_422), instance, file);
        return DicomTags.read(file);
    }

    private static InstanceRef ref(AttributeList list) {
        return new InstanceRef(string(list, TagFromName.StudyInstanceUID), string(list, TagFromName.SeriesInstanceUID),
                string(list, TagFromName.SOPClassUID), string(list, TagFromName.SOPInstanceUID));
    }

    private static String string(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    private static PhotoInstance withName(PhotoInstance base, String name) {
        var patient = new PhotoInstance.Patient(base.patient().identifier(), Optional.of(name),
                base.patient().birthDate(), base.patient().sex());
        return new PhotoInstance(patient, base.encounter(), base.department(), base.accessTags(), base.bodySite(),
                base.laterality(), base.view(), base.protocol(), base.takenAt(), base.deviceManufacturer(),
                base.deviceModel(), base.operatorName(), base.uids(), base.seriesNumber(), base.instanceNumber(),
                base.studyDateTime());
    }

    private static PhotoInstance sameStudy(PhotoInstance first, UidGenerator uids) {
        PhotoInstance next = TestPhotos.instance(uids);
        return new PhotoInstance(first.patient(), first.encounter(), first.department(), first.accessTags(),
                first.bodySite(), first.laterality(), first.view(), first.protocol(), first.takenAt(),
                first.deviceManufacturer(), first.deviceModel(), first.operatorName(),
                new PhotoInstance.Uids(first.uids().studyInstanceUid(), next.uids().seriesInstanceUid(),
                        next.uids().sopInstanceUid()),
                4, 1, first.studyDateTime());
    }

    @Test
    void rejectionNoteForTwoPhotosIsAValidKeyObjectSelectionDocumentInTheirStudy() throws Exception {
        PhotoInstance first = withName(TestPhotos.instance(uids), "Müller^Jürgen");
        AttributeList a = photo(first);
        AttributeList b = photo(sameStudy(first, uids));
        var note = RejectionNote.of(a, List.of(ref(a), ref(b)), RejectionNoteWriter.CONSENT_WITHDRAWN,
                Optional.of("Patient withdrew consent to clinical photography"), uids,
                Instant.parse("2026-11-21T08:30:00Z"));
        Path file = tmp.resolve("kos.dcm");

        writer.write(note, file);

        DicomTools.Result verify = DicomTools.dciodvfy(file);
        assertEquals(List.of(), verify.linesContaining("Error"), verify.output());
        assertEquals(List.of(), verify.linesContaining("Warning"), verify.output());

        AttributeList kos = DicomTags.read(file);
        assertEquals(RejectionNoteWriter.KEY_OBJECT_SELECTION_DOCUMENT_STORAGE, string(kos, TagFromName.SOPClassUID));
        assertEquals(RejectionNoteWriter.KEY_OBJECT_SELECTION_DOCUMENT_STORAGE,
                string(kos, TagFromName.MediaStorageSOPClassUID));
        assertEquals(VlPhotoWriter.EXPLICIT_VR_LITTLE_ENDIAN, string(kos, TagFromName.TransferSyntaxUID));
        assertEquals(VlPhotoWriter.IMPLEMENTATION_CLASS_UID, string(kos, TagFromName.ImplementationClassUID));
        assertEquals("KO", string(kos, TagFromName.Modality));
        assertEquals(note.sopInstanceUid(), string(kos, TagFromName.SOPInstanceUID));
        assertEquals(note.seriesInstanceUid(), string(kos, TagFromName.SeriesInstanceUID));
        // Same patient and study as the photos, character set included.
        for (var tag : List.of(TagFromName.StudyInstanceUID, TagFromName.PatientID, TagFromName.PatientName,
                TagFromName.PatientBirthDate, TagFromName.StudyDate, TagFromName.StudyID, TagFromName.AdmissionID,
                TagFromName.IssuerOfPatientID, TagFromName.SpecificCharacterSet)) {
            assertEquals(string(a, tag), string(kos, tag), tag.toString());
        }
        assertEquals("Müller^Jürgen", string(kos, TagFromName.PatientName));
        assertTrue(!string(kos, TagFromName.SeriesInstanceUID).equals(string(a, TagFromName.SeriesInstanceUID)));
        // 20261121 09:30 in Berlin.
        assertEquals("20261121", string(kos, TagFromName.ContentDate));
        assertEquals("093000", string(kos, TagFromName.ContentTime));

        AttributeList title = item(kos, TagFromName.ConceptNameCodeSequence, 0);
        assertEquals("113037", string(title, TagFromName.CodeValue));
        assertEquals("DCM", string(title, TagFromName.CodingSchemeDesignator));
        assertEquals("CONTAINER", string(kos, TagFromName.ValueType));
        assertEquals("SEPARATE", string(kos, TagFromName.ContinuityOfContent));
        assertEquals("2010", string(item(kos, TagFromName.ContentTemplateSequence, 0), TagFromName.TemplateIdentifier));

        assertEquals(List.of(ref(a).sopInstanceUid(), ref(b).sopInstanceUid()), evidenceSopUids(kos));
        AttributeList study = item(kos, TagFromName.CurrentRequestedProcedureEvidenceSequence, 0);
        assertEquals(string(a, TagFromName.StudyInstanceUID), string(study, TagFromName.StudyInstanceUID));
        assertEquals(2, ((SequenceAttribute) study.get(TagFromName.ReferencedSeriesSequence)).getNumberOfItems(),
                "one item per series");

        var content = (SequenceAttribute) kos.get(TagFromName.ContentSequence);
        assertEquals(3, content.getNumberOfItems());
        assertEquals("TEXT", string(content.getItem(0).getAttributeList(), TagFromName.ValueType));
        List<String> images = new ArrayList<>();
        for (int i = 1; i < 3; i++) {
            AttributeList image = content.getItem(i).getAttributeList();
            assertEquals("IMAGE", string(image, TagFromName.ValueType));
            assertEquals("CONTAINS", string(image, TagFromName.RelationshipType));
            AttributeList sop = item(image, TagFromName.ReferencedSOPSequence, 0);
            assertEquals(VlPhotoWriter.VL_PHOTOGRAPHIC_IMAGE_STORAGE, string(sop, TagFromName.ReferencedSOPClassUID));
            images.add(string(sop, TagFromName.ReferencedSOPInstanceUID));
        }
        assertEquals(evidenceSopUids(kos), images);
    }

    @Test
    void rejectionNoteWithoutDescriptionIsStillValid() throws Exception {
        AttributeList a = photo(TestPhotos.instance(uids));
        var note = RejectionNote.of(a, List.of(ref(a)), RejectionNoteWriter.DATA_RETENTION_POLICY_EXPIRED,
                Optional.empty(), uids, Instant.now());
        Path file = tmp.resolve("kos.dcm");

        writer.write(note, file);

        DicomTools.Result verify = DicomTools.dciodvfy(file);
        assertEquals(List.of(), verify.linesContaining("Error"), verify.output());
        AttributeList kos = DicomTags.read(file);
        assertEquals("113039", string(item(kos, TagFromName.ConceptNameCodeSequence, 0), TagFromName.CodeValue));
        assertEquals(1, ((SequenceAttribute) kos.get(TagFromName.ContentSequence)).getNumberOfItems());
    }

    @Test
    void refusesInstancesOfAnotherStudy() throws Exception {
        AttributeList a = photo(TestPhotos.instance(uids));
        AttributeList other = photo(TestPhotos.instance(uids));

        var e = assertThrows(IllegalArgumentException.class, () -> RejectionNote.of(a, List.of(ref(a), ref(other)),
                RejectionNoteWriter.CONSENT_WITHDRAWN, Optional.empty(), uids, Instant.now()));
        assertTrue(e.getMessage().contains("one rejection note per study"), e.getMessage());
    }

    @Test
    void refusesAReasonThatIsNotARejectionTitle() throws Exception {
        AttributeList a = photo(TestPhotos.instance(uids));
        var note = RejectionNote.of(a, List.of(ref(a)), new CodedConcept("DCM", "113000", "Of Interest"),
                Optional.empty(), uids, Instant.now());

        assertThrows(IllegalArgumentException.class, () -> writer.build(note));
    }

    @Test
    void writingTheSameNoteTwiceGivesTheSameObject() throws Exception {
        AttributeList a = photo(TestPhotos.instance(uids));
        var note = RejectionNote.of(a, List.of(ref(a)), RejectionNoteWriter.CONSENT_WITHDRAWN, Optional.empty(), uids,
                Instant.parse("2026-11-21T08:30:00Z"));
        Path one = tmp.resolve("one.dcm");
        Path two = tmp.resolve("two.dcm");

        writer.write(note, one);
        writer.write(note, two);

        assertEquals(-1L, Files.mismatch(one, two), "a resent note must be the same instance, byte for byte");
    }

    private static AttributeList item(AttributeList list, com.pixelmed.dicom.AttributeTag tag, int index) {
        return ((SequenceAttribute) list.get(tag)).getItem(index).getAttributeList();
    }

    private static List<String> evidenceSopUids(AttributeList kos) {
        List<String> uids = new ArrayList<>();
        AttributeList study = item(kos, TagFromName.CurrentRequestedProcedureEvidenceSequence, 0);
        var series = (SequenceAttribute) study.get(TagFromName.ReferencedSeriesSequence);
        for (int s = 0; s < series.getNumberOfItems(); s++) {
            var sops = (SequenceAttribute) series.getItem(s).getAttributeList().get(TagFromName.ReferencedSOPSequence);
            for (int i = 0; i < sops.getNumberOfItems(); i++) {
                uids.add(string(sops.getItem(i).getAttributeList(), TagFromName.ReferencedSOPInstanceUID));
            }
        }
        return uids;
    }
}
