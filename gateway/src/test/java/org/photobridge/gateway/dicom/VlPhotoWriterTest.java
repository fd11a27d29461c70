package org.photobridge.gateway.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.photobridge.gateway.dicom.TestPhotos.Kind;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.CleanedPhoto.LossyCompression;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.PhotoFormat;

class VlPhotoWriterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    private final UidGenerator uids = new UidGenerator(Optional.empty());
    private final VlPhotoWriter writer = new VlPhotoWriter(CLOCK);

    @TempDir
    Path dir;

    private Path write(CleanedPhoto photo, PhotoInstance instance) throws IOException {
        Path file = dir.resolve(instance.uids().sopInstanceUid() + ".dcm");
        writer.write(photo, instance, file);
        return file;
    }

    private Path write(Kind kind) throws IOException {
        return write(TestPhotos.photo(kind), TestPhotos.instance(uids));
    }

    // --- independent validation --------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyPhotoKindPassesDciodvfyWithoutErrorsOrWarnings(Kind kind) throws IOException {
        DicomTools.Result result = DicomTools.dciodvfy(write(kind));
        assertEquals(List.of(), result.linesContaining("Error"), () -> "dciodvfy output:\n" + result.output());
        assertEquals(List.of(), DicomTools.unexpectedWarnings(result), () -> "dciodvfy output:\n" + result.output());
        assertEquals(3, result.linesContaining("Warning").size(), "only our three private elements are unknown to it");
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"NATIVE_RGB", "NATIVE_RGB_WITH_ICC_PROFILE", "NATIVE_MONOCHROME2"})
    void dcmtkDecodesNativePixelsExactly(Kind kind) throws IOException {
        CleanedPhoto photo = TestPhotos.photo(kind, 33, 21); // odd byte count: pixel data gets padded
        Path png = DicomTools.dcmj2pnm(write(photo, TestPhotos.instance(uids)), dir.resolve("decoded.png"));
        BufferedImage decoded = ImageIO.read(png.toFile());
        assertEquals(photo.columns(), decoded.getWidth());
        assertEquals(photo.rows(), decoded.getHeight());
        assertArrayEquals(photo.pixelData(), TestPhotos.samples(decoded, photo.samplesPerPixel()));
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"JPEG_YBR_FULL_422", "JPEG_MONOCHROME2", "JPEG_WITH_ICC_PROFILE"})
    void dcmtkDecodesJpegPixelsAsTheStreamEncodesThem(Kind kind) throws IOException {
        CleanedPhoto photo = TestPhotos.photo(kind);
        Path png = DicomTools.dcmj2pnm(write(photo, TestPhotos.instance(uids)), dir.resolve("decoded.png"));
        BufferedImage viaDcmtk = ImageIO.read(png.toFile());
        BufferedImage viaImageIo = ImageIO.read(new ByteArrayInputStream(photo.pixelData()));
        BufferedImage source = TestPhotos.pattern(photo.columns(), photo.rows(), photo.samplesPerPixel() == 1);

        PixelDifference sameStream = PixelDifference.of(viaImageIo, viaDcmtk, photo.samplesPerPixel());
        assertTrue(sameStream.max() <= 6 && sameStream.mean() < 1.0,
                "dcmtk and ImageIO decode the same JPEG differently: " + sameStream);
        PixelDifference fromSource = PixelDifference.of(source, viaDcmtk, photo.samplesPerPixel());
        assertTrue(fromSource.mean() < 3.0, "decoded pixels are far from the source: " + fromSource);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noToolkitDemoUidAppearsAnywhereInTheObject(Kind kind) throws IOException {
        DicomTools.Result dump = DicomTools.dcmdump(write(kind));
        assertEquals(0, dump.exitCode(), dump.output());
        assertFalse(dump.output().contains("1.3.6.1.4.1.5962"), dump.output());
        assertTrue(dump.output().contains(VlPhotoWriter.IMPLEMENTATION_CLASS_UID), dump.output());
        assertTrue(dump.output().contains("PHOTOBRIDGE_01"), dump.output());
    }

    // --- what the object says ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void transferSyntaxAndImagePixelAttributesMatchThePhoto(Kind kind) throws IOException {
        CleanedPhoto photo = TestPhotos.photo(kind);
        AttributeList list = DicomTags.read(write(photo, TestPhotos.instance(uids)));

        boolean encapsulated = photo.encoding() == PixelEncoding.JPEG_BASELINE && kind != Kind.JPEG_YBR_FULL_444;
        assertEquals(encapsulated ? "1.2.840.10008.1.2.4.50" : "1.2.840.10008.1.2.1",
                string(list, TagFromName.TransferSyntaxUID));
        assertEquals(kind == Kind.JPEG_YBR_FULL_444 ? "RGB" : photo.photometricInterpretation(),
                string(list, TagFromName.PhotometricInterpretation));
        assertEquals(photo.samplesPerPixel(), Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, -1));
        assertEquals(8, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, -1));
        assertEquals(8, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsStored, -1));
        assertEquals(7, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.HighBit, -1));
        assertEquals(0, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, -1));
        assertEquals(photo.samplesPerPixel() == 3 ? "0" : "",
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PlanarConfiguration));
        assertEquals(photo.iccProfile().isPresent(), list.get(TagFromName.ICCProfile) != null);
        photo.iccProfile().ifPresent(icc -> assertArrayEquals(icc, bytes(list, TagFromName.ICCProfile)));
        assertEquals(photo.encoding() == PixelEncoding.JPEG_BASELINE ? "01" : "00",
                string(list, TagFromName.LossyImageCompression));
    }

    @Test
    void jpegStreamIsOneFragmentAfterAnEmptyOffsetTablePaddedToEvenLength() throws IOException {
        CleanedPhoto photo = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        if (photo.pixelData().length % 2 == 0) { // make the stream odd: a trailing byte after EOI is legal
            byte[] odd = java.util.Arrays.copyOf(photo.pixelData(), photo.pixelData().length + 1);
            photo = withPixels(photo, odd);
        }
        Path file = write(photo, TestPhotos.instance(uids));

        AttributeList list = DicomTags.read(file);
        var pixelData = (OtherByteAttributeMultipleCompressedFrames) list.getPixelData();
        byte[][] frames = pixelData.getFrames();
        assertEquals(1, frames.length);
        assertEquals(0, frames[0].length % 2);
        assertArrayEquals(photo.pixelData(), java.util.Arrays.copyOf(frames[0], photo.pixelData().length));
        List<String> items = DicomTools.dcmdump(file).linesContaining("(fffe,e000)").stream()
                .filter(line -> line.contains(" pi ")).toList();
        assertEquals(2, items.size(), "offset table item and one fragment: " + items);
        assertTrue(items.get(0).contains("pi (no value available)"), items.get(0));
    }

    @Test
    void jpegStreamShorterThanItsArrayIsWrittenFromItsSliceAsFromAnExactArray() throws IOException {
        // A cleaned upload is the start of the array it arrived in, zeros after it.
        CleanedPhoto exact = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        byte[] stream = exact.pixelData();
        for (int slack : new int[] {1, 4097}) {
            byte[] array = java.util.Arrays.copyOf(stream, stream.length + slack);
            CleanedPhoto inArray = new CleanedPhoto(exact.encoding(), array, stream.length, exact.columns(),
                    exact.rows(), exact.samplesPerPixel(), exact.photometricInterpretation(), exact.bitsAllocated(),
                    exact.bitsStored(), exact.iccProfile(), exact.lossy(), exact.source(), exact.hints(),
                    exact.jpegFrame(), exact.storage());
            PhotoInstance instance = TestPhotos.instance(uids);

            var fromSlice = new java.io.ByteArrayOutputStream();
            writer.write(inArray, instance, fromSlice);
            var fromExact = new java.io.ByteArrayOutputStream();
            writer.write(exact, instance, fromExact);

            assertArrayEquals(fromExact.toByteArray(), fromSlice.toByteArray(), "slack " + slack);
            Path file = write(inArray, instance);
            var frames = ((OtherByteAttributeMultipleCompressedFrames) DicomTags.read(file).getPixelData()).getFrames();
            assertEquals(1, frames.length);
            assertEquals(stream.length + stream.length % 2, frames[0].length, "the stream, padded to even; not the array");
            DicomTools.Result result = DicomTools.dciodvfy(file);
            assertEquals(List.of(), result.linesContaining("Error"), () -> "dciodvfy output:\n" + result.output());
        }
    }

    @Test
    void patientStudyAndEncounterIdentityComeFromTheRequest() throws IOException {
        PhotoInstance instance = TestPhotos.instance(uids);
        AttributeList list = DicomTags.read(write(TestPhotos.photo(Kind.JPEG_YBR_FULL_422), instance));

        assertEquals(VlPhotoWriter.VL_PHOTOGRAPHIC_IMAGE_STORAGE, string(list, TagFromName.SOPClassUID));
        assertEquals(VlPhotoWriter.VL_PHOTOGRAPHIC_IMAGE_STORAGE, string(list, TagFromName.MediaStorageSOPClassUID));
        assertEquals(instance.uids().sopInstanceUid(), string(list, TagFromName.SOPInstanceUID));
        assertEquals(instance.uids().sopInstanceUid(), string(list, TagFromName.MediaStorageSOPInstanceUID));
        assertEquals(instance.uids().studyInstanceUid(), string(list, TagFromName.StudyInstanceUID));
        assertEquals(instance.uids().seriesInstanceUid(), string(list, TagFromName.SeriesInstanceUID));
        assertEquals("PHOTOBRIDGE", string(list, TagFromName.SourceApplicationEntityTitle));
        assertEquals("XC", string(list, TagFromName.Modality));
        assertEquals("3", string(list, TagFromName.SeriesNumber));
        assertEquals("7", string(list, TagFromName.InstanceNumber));

        assertEquals("Doe^Jane", string(list, TagFromName.PatientName));
        assertEquals("MRN-0042", string(list, TagFromName.PatientID));
        assertEquals("1.2.3.4.5", string(list, TagFromName.IssuerOfPatientID));
        AttributeList issuer = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
                TagFromName.IssuerOfPatientIDQualifiersSequence);
        assertEquals("1.2.3.4.5", string(issuer, DicomTags.UNIVERSAL_ENTITY_ID));
        assertEquals("ISO", string(issuer, DicomTags.UNIVERSAL_ENTITY_ID_TYPE));
        assertEquals("19800131", string(list, TagFromName.PatientBirthDate));
        assertEquals("F", string(list, TagFromName.PatientSex));

        assertEquals("ENC-2026-118", string(list, TagFromName.AdmissionID));
        AttributeList admissionIssuer = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
                TagFromName.IssuerOfAdmissionIDSequence);
        assertEquals("1.2.3.4.6", string(admissionIssuer, DicomTags.UNIVERSAL_ENTITY_ID));

        assertEquals("20261120", string(list, TagFromName.StudyDate));
        assertEquals("090000", string(list, TagFromName.StudyTime));
        assertNotNull(list.get(TagFromName.AccessionNumber));
        assertEquals("", string(list, TagFromName.AccessionNumber));
        assertEquals("20261120101112+0000", string(list, TagFromName.AcquisitionDateTime));
        assertEquals("plastic-surgery", string(list, TagFromName.InstitutionalDepartmentName));
        assertEquals("Nurse^Nina", string(list, TagFromName.OperatorsName));
        assertEquals("Apple", string(list, TagFromName.Manufacturer));
        assertEquals("iPhone 15 Pro", string(list, TagFromName.ManufacturerModelName));
    }

    @Test
    void accessTagsLiveInThePhotobridgePrivateBlock() throws IOException {
        AttributeList list = DicomTags.read(write(Kind.NATIVE_RGB));

        assertEquals("PHOTOBRIDGE 1.0", string(list, AccessTagBlock.CREATOR_TAG));
        assertEquals(List.of("plastic-surgery", "oncology"), AccessTagBlock.accessTags(list));
        assertEquals(List.of("plastic-surgery", "oncology"), DicomTags.strings(list, AccessTagBlock.ACCESS_TAGS));
        assertEquals(Optional.of("plastic-surgery"), AccessTagBlock.owningDepartment(list));
        assertEquals(Optional.of(TestPhotos.SHA256), AccessTagBlock.sourceSha256(list));
    }

    @Test
    void bodySiteLateralityViewAndProtocolAreCoded() throws IOException {
        AttributeList list = DicomTags.read(write(Kind.JPEG_YBR_FULL_422));

        CodedSequenceItem site = CodedSequenceItem.getSingleCodedSequenceItemOrNull(list, TagFromName.AnatomicRegionSequence);
        assertEquals("76752008", site.getCodeValue());
        assertEquals("SCT", site.getCodingSchemeDesignator());
        assertEquals("Breast", site.getCodeMeaning());
        assertEquals("L", string(list, TagFromName.ImageLaterality));
        assertEquals(null, list.get(TagFromName.Laterality));

        CodedSequenceItem view = view(list);
        assertEquals("260421001", view.getCodeValue());
        assertEquals("SCT", view.getCodingSchemeDesignator());
        assertEquals("left lateral oblique", view.getCodeMeaning());

        assertEquals("Breast 5-view", string(list, TagFromName.ProtocolName));
        assertEquals(null, list.get(TagFromName.CodingSchemeIdentificationSequence), "no private code used");
    }

    @Test
    void privateViewCodesPassDciodvfy() throws IOException {
        PhotoInstance instance = with(TestPhotos.instance(uids), "close-up", "lesion-closeup", "U");
        Path file = write(TestPhotos.photo(Kind.JPEG_YBR_FULL_422), instance);
        DicomTools.Result result = DicomTools.dciodvfy(file);
        assertEquals(List.of(), result.linesContaining("Error"), result.output());
        // dciodvfy knows no private coding scheme designator; PS3.16 8.2 allows "99" schemes.
        assertEquals(List.of(), DicomTools.unexpectedWarnings(result).stream()
                .filter(line -> !line.contains("Unrecognized defined term <99PHOTOBRIDGE>")).toList(), result.output());

        AttributeList list = DicomTags.read(file);
        CodedSequenceItem view = view(list);
        assertEquals("PB-CLOSEUP", view.getCodeValue());
        assertEquals("99PHOTOBRIDGE", view.getCodingSchemeDesignator());
        AttributeList scheme = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
                TagFromName.CodingSchemeIdentificationSequence);
        assertEquals("99PHOTOBRIDGE", string(scheme, TagFromName.CodingSchemeDesignator));
    }

    @Test
    void passedThroughCameraJpegIsOriginalWithTheCamerasCompressionHistory() throws IOException {
        AttributeList list = DicomTags.read(write(Kind.JPEG_YBR_FULL_422));

        assertEquals(List.of("ORIGINAL", "PRIMARY"), DicomTags.strings(list, TagFromName.ImageType));
        assertEquals(null, list.get(TagFromName.DerivationDescription));
        assertEquals("01", string(list, TagFromName.LossyImageCompression));
        assertEquals(List.of("ISO_10918_1"), DicomTags.strings(list, TagFromName.LossyImageCompressionMethod));
        assertEquals(1, DicomTags.strings(list, TagFromName.LossyImageCompressionRatio).size());
        assertEquals("NO", string(list, TagFromName.BurnedInAnnotation));
    }

    @Test
    void reencodedAndRotatedJpegIsDerivedAndStatesEveryLossyStepInOrder() throws IOException {
        CleanedPhoto base = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        CleanedPhoto photo = new CleanedPhoto(base.encoding(), base.pixelData(), base.columns(), base.rows(),
                base.samplesPerPixel(), base.photometricInterpretation(), 8, 8, Optional.empty(),
                new LossyCompression(true, List.of("ISO_10918_1", "ISO_10918_1"), List.of(8.5, 12.25)),
                TestPhotos.source(PhotoFormat.JPEG, true, 6), TestPhotos.hints());
        Path file = write(photo, TestPhotos.instance(uids));
        AttributeList list = DicomTags.read(file);

        assertEquals(List.of("DERIVED", "PRIMARY"), DicomTags.strings(list, TagFromName.ImageType));
        assertEquals("EXIF orientation 6 applied; decoded from JPEG and re-encoded as JPEG baseline",
                string(list, TagFromName.DerivationDescription));
        assertEquals("113040", CodedSequenceItem.getSingleCodedSequenceItemOrNull(list,
                TagFromName.DerivationCodeSequence).getCodeValue());
        assertEquals(List.of("ISO_10918_1", "ISO_10918_1"), DicomTags.strings(list, TagFromName.LossyImageCompressionMethod));
        assertEquals(List.of("8.50", "12.25"), DicomTags.strings(list, TagFromName.LossyImageCompressionRatio));
        DicomTools.Result result = DicomTools.dciodvfy(file);
        assertEquals(List.of(), result.linesContaining("Error"), result.output());
    }

    @Test
    void losslessPngStoredNativeSaysNoLossyCompressionButDerivedBecauseDecoded() throws IOException {
        AttributeList list = DicomTags.read(write(Kind.NATIVE_RGB));

        assertEquals("00", string(list, TagFromName.LossyImageCompression));
        assertEquals(null, list.get(TagFromName.LossyImageCompressionMethod));
        assertEquals(List.of("DERIVED", "PRIMARY"), DicomTags.strings(list, TagFromName.ImageType));
        assertEquals("decoded from PNG and stored uncompressed", string(list, TagFromName.DerivationDescription));
        assertEquals(null, list.get(TagFromName.DerivationCodeSequence));
    }

    @Test
    void exifHintsFillDeviceAndLocalAcquisitionTimeWhenTheRequestIsSilent() throws IOException {
        PhotoInstance base = TestPhotos.instance(uids);
        PhotoInstance instance = new PhotoInstance(base.patient(), base.encounter(), base.department(),
                base.accessTags(), base.bodySite(), base.laterality(), base.view(), base.protocol(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), base.uids(), 1, 1, base.studyDateTime());
        CleanedPhoto plain = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        CleanedPhoto photo = new CleanedPhoto(plain.encoding(), plain.pixelData(), plain.columns(), plain.rows(),
                plain.samplesPerPixel(), plain.photometricInterpretation(), 8, 8, Optional.empty(), plain.lossy(),
                plain.source(), TestPhotos.hints());
        AttributeList list = DicomTags.read(write(photo, instance));

        assertEquals("20261119080706", string(list, TagFromName.AcquisitionDateTime));
        assertEquals("20261119", string(list, TagFromName.ContentDate));
        assertEquals("Canon", string(list, TagFromName.Manufacturer));
        assertEquals("EOS R5", string(list, TagFromName.ManufacturerModelName));
        assertEquals(null, list.get(TagFromName.OperatorsName));
    }

    @Test
    void requestInstantIsWrittenInTheHospitalZoneWithItsOffset() throws IOException {
        var zoned = new VlPhotoWriter(Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneId.of("Europe/Berlin")));
        PhotoInstance instance = TestPhotos.instance(uids);
        Path file = dir.resolve("berlin.dcm");
        zoned.write(TestPhotos.photo(Kind.JPEG_MONOCHROME2), instance, file);
        AttributeList list = DicomTags.read(file);

        assertEquals("20261120111112+0100", string(list, TagFromName.AcquisitionDateTime));
        assertEquals("100000", string(list, TagFromName.StudyTime));
        assertEquals("111112", string(list, TagFromName.ContentTime));
    }

    @Test
    void nonAsciiNamesAreEncodedAsUtf8() throws IOException {
        PhotoInstance base = TestPhotos.instance(uids);
        PhotoInstance instance = new PhotoInstance(
                new PhotoInstance.Patient(base.patient().identifier(), Optional.of("Müller^Zoë"),
                        Optional.empty(), Optional.of("U")),
                base.encounter(), base.department(), base.accessTags(), base.bodySite(), base.laterality(),
                base.view(), base.protocol(), base.takenAt(), base.deviceManufacturer(), base.deviceModel(),
                Optional.of("Łukasiewicz^Jan"), base.uids(), 1, 1, base.studyDateTime());
        Path file = write(TestPhotos.photo(Kind.NATIVE_MONOCHROME2), instance);
        AttributeList list = DicomTags.read(file);

        assertEquals("ISO_IR 192", string(list, TagFromName.SpecificCharacterSet));
        assertEquals("Müller^Zoë", string(list, TagFromName.PatientName));
        assertEquals("Łukasiewicz^Jan", string(list, TagFromName.OperatorsName));
        assertEquals("", string(list, TagFromName.PatientSex));
        assertEquals("", string(list, TagFromName.PatientBirthDate));
        assertTrue(DicomTools.dcmdump(file).output().contains("Müller^Zoë"), "dcmdump shows the UTF-8 bytes");
        assertEquals(List.of(), DicomTools.dciodvfy(file).linesContaining("Error"));
    }

    @Test
    void urlIdentifierSystemsBecomeUriIssuers() throws IOException {
        PhotoInstance base = TestPhotos.instance(uids);
        var patient = new PhotoInstance.Patient(
                new PhotoInstance.Identifier("https://hospital.example.org/fhir/sid/mrn", "MRN-0042"),
                Optional.empty(), Optional.empty(), Optional.empty());
        PhotoInstance instance = new PhotoInstance(patient, base.encounter(), base.department(), base.accessTags(),
                base.bodySite(), base.laterality(), base.view(), base.protocol(), base.takenAt(),
                base.deviceManufacturer(), base.deviceModel(), base.operatorName(), base.uids(), 1, 1,
                base.studyDateTime());
        AttributeList list = DicomTags.read(write(TestPhotos.photo(Kind.NATIVE_RGB), instance));

        AttributeList issuer = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
                TagFromName.IssuerOfPatientIDQualifiersSequence);
        assertEquals("https://hospital.example.org/fhir/sid/mrn", string(issuer, DicomTags.UNIVERSAL_ENTITY_ID));
        assertEquals("URI", string(issuer, DicomTags.UNIVERSAL_ENTITY_ID_TYPE));
    }

    @Test
    void writingToAStreamLeavesItOpenAndProducesTheSameObject() throws IOException {
        var out = new ByteArrayOutputStream();
        PhotoInstance instance = TestPhotos.instance(uids);
        writer.write(TestPhotos.photo(Kind.NATIVE_MONOCHROME2), instance, out);
        out.write(0); // still open

        byte[] bytes = out.toByteArray();
        assertEquals("DICM", new String(bytes, 128, 4, java.nio.charset.StandardCharsets.US_ASCII));
        AttributeList list = DicomTags.read(new ByteArrayInputStream(bytes, 0, bytes.length - 1));
        assertEquals(instance.uids().sopInstanceUid(), string(list, TagFromName.SOPInstanceUID));
    }

    // --- refusals ----------------------------------------------------------------------------------------

    @Test
    void rejectsProgressiveJpegLabelledAsBaseline() {
        CleanedPhoto photo = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        byte[] stream = photo.pixelData().clone();
        for (int i = 2; i < stream.length - 1; i++) {
            if ((stream[i] & 0xFF) == 0xFF && (stream[i + 1] & 0xFF) == 0xC0) {
                stream[i + 1] = (byte) 0xC2;
                break;
            }
        }
        var error = assertThrows(IllegalArgumentException.class,
                () -> writer.build(withPixels(photo, stream), TestPhotos.instance(uids)));
        assertTrue(error.getMessage().contains("not baseline"), error.getMessage());
    }

    @Test
    void rejectsPhotometricThatContradictsTheJpegSubsampling() {
        CleanedPhoto subsampled = TestPhotos.photo(Kind.JPEG_YBR_FULL_422);
        CleanedPhoto mislabelled = new CleanedPhoto(subsampled.encoding(), subsampled.pixelData(),
                subsampled.columns(), subsampled.rows(), 3, "YBR_FULL", 8, 8, Optional.empty(), subsampled.lossy(),
                subsampled.source(), subsampled.hints());
        var error = assertThrows(IllegalArgumentException.class, () -> writer.build(mislabelled, TestPhotos.instance(uids)));
        assertTrue(error.getMessage().contains("YBR_FULL_422"), error.getMessage());
    }

    @Test
    void rejectsJpegThatClaimsNoLossyCompression() {
        CleanedPhoto jpeg = TestPhotos.photo(Kind.JPEG_MONOCHROME2);
        CleanedPhoto untruthful = new CleanedPhoto(jpeg.encoding(), jpeg.pixelData(), jpeg.columns(), jpeg.rows(),
                1, "MONOCHROME2", 8, 8, Optional.empty(), LossyCompression.none(), jpeg.source(), jpeg.hints());
        assertThrows(IllegalArgumentException.class, () -> writer.build(untruthful, TestPhotos.instance(uids)));
    }

    @Test
    void rejectsSixteenBitPixels() {
        CleanedPhoto eight = TestPhotos.photo(Kind.NATIVE_MONOCHROME2);
        CleanedPhoto sixteen = new CleanedPhoto(PixelEncoding.NATIVE, new byte[eight.pixelData().length * 2],
                eight.columns(), eight.rows(), 1, "MONOCHROME2", 16, 16, Optional.empty(), LossyCompression.none(),
                eight.source(), eight.hints());
        var error = assertThrows(IllegalArgumentException.class, () -> writer.build(sixteen, TestPhotos.instance(uids)));
        assertTrue(error.getMessage().contains("8 bits"), error.getMessage());
    }

    @Test
    void rejectsNativePixelDataOfTheWrongSize() {
        CleanedPhoto photo = TestPhotos.photo(Kind.NATIVE_RGB);
        byte[] short_ = java.util.Arrays.copyOf(photo.pixelData(), photo.pixelData().length - 3);
        assertThrows(IllegalArgumentException.class, () -> writer.build(withPixels(photo, short_), TestPhotos.instance(uids)));
    }

    @Test
    void rejectsUnknownViewProtocolAndLateralityNamingTheAcceptedValues() {
        CleanedPhoto photo = TestPhotos.photo(Kind.NATIVE_RGB);
        var view = assertThrows(IllegalArgumentException.class,
                () -> writer.build(photo, with(TestPhotos.instance(uids), "sideways", "breast-5-view", "L")));
        assertTrue(view.getMessage().contains("anterior"), view.getMessage());
        var protocol = assertThrows(IllegalArgumentException.class,
                () -> writer.build(photo, with(TestPhotos.instance(uids), "anterior", "knee-3-view", "L")));
        assertTrue(protocol.getMessage().contains("breast-5-view"), protocol.getMessage());
        var laterality = assertThrows(IllegalArgumentException.class,
                () -> writer.build(photo, with(TestPhotos.instance(uids), "anterior", "breast-5-view", "left")));
        assertTrue(laterality.getMessage().contains("L, R, B, U"), laterality.getMessage());
    }

    @Test
    void rejectsAccessTagsThatDoNotFitTheirAttribute() {
        PhotoInstance base = TestPhotos.instance(uids);
        PhotoInstance instance = new PhotoInstance(base.patient(), base.encounter(), base.department(),
                List.of("plastic\\surgery"), base.bodySite(), base.laterality(), base.view(), base.protocol(),
                base.takenAt(), base.deviceManufacturer(), base.deviceModel(), base.operatorName(), base.uids(), 1, 1,
                base.studyDateTime());
        var error = assertThrows(IllegalArgumentException.class,
                () -> writer.build(TestPhotos.photo(Kind.NATIVE_RGB), instance));
        assertTrue(error.getMessage().contains("accessTags"), error.getMessage());
    }

    @Test
    void fourFourFourJpegIsStoredAsNativeRgbKeepingItsLossyHistory() throws IOException {
        CleanedPhoto photo = TestPhotos.photo(Kind.JPEG_YBR_FULL_444);
        Path file = write(photo, TestPhotos.instance(uids));
        AttributeList list = DicomTags.read(file);

        assertEquals("01", string(list, TagFromName.LossyImageCompression));
        assertEquals(List.of("ISO_10918_1"), DicomTags.strings(list, TagFromName.LossyImageCompressionMethod));
        assertEquals(List.of("ORIGINAL", "PRIMARY"), DicomTags.strings(list, TagFromName.ImageType));
        BufferedImage viaImageIo = ImageIO.read(new ByteArrayInputStream(photo.pixelData()));
        BufferedImage viaDcmtk = ImageIO.read(DicomTools.dcmj2pnm(file, dir.resolve("decoded.png")).toFile());
        assertArrayEquals(TestPhotos.samples(viaImageIo, 3), TestPhotos.samples(viaDcmtk, 3));
    }

    @Test
    void studyIdIsShortAndTheSameForEveryPhotoOfTheStudy() {
        String uid = uids.next();
        String id = VlPhotoWriter.studyId(uid);
        assertTrue(id.length() <= 16 && id.startsWith("PB"), id);
        assertEquals(id, VlPhotoWriter.studyId(uid));
        assertFalse(id.equals(VlPhotoWriter.studyId(uids.next())));
    }

    // --- helpers -----------------------------------------------------------------------------------------

    /** The view, which sits in the Acquisition Context Sequence as an "Image View" item. */
    private static CodedSequenceItem view(AttributeList list) {
        SequenceAttribute context = (SequenceAttribute) list.get(TagFromName.AcquisitionContextSequence);
        assertEquals(1, context.getNumberOfItems());
        AttributeList item = context.getItem(0).getAttributeList();
        assertEquals("CODE", string(item, TagFromName.ValueType));
        CodedSequenceItem name = CodedSequenceItem.getSingleCodedSequenceItemOrNull(item, TagFromName.ConceptNameCodeSequence);
        assertEquals("111031", name.getCodeValue());
        assertEquals("DCM", name.getCodingSchemeDesignator());
        assertEquals(null, list.get(TagFromName.ViewCodeSequence));
        return CodedSequenceItem.getSingleCodedSequenceItemOrNull(item, TagFromName.ConceptCodeSequence);
    }

    private static PhotoInstance with(PhotoInstance base, String view, String protocol, String laterality) {
        return new PhotoInstance(base.patient(), base.encounter(), base.department(), base.accessTags(),
                base.bodySite(), laterality, Optional.of(view), Optional.of(protocol), base.takenAt(),
                base.deviceManufacturer(), base.deviceModel(), base.operatorName(), base.uids(),
                base.seriesNumber(), base.instanceNumber(), base.studyDateTime());
    }

    private static CleanedPhoto withPixels(CleanedPhoto photo, byte[] pixels) {
        return new CleanedPhoto(photo.encoding(), pixels, photo.columns(), photo.rows(), photo.samplesPerPixel(),
                photo.photometricInterpretation(), photo.bitsAllocated(), photo.bitsStored(), photo.iccProfile(),
                photo.lossy(), photo.source(), photo.hints());
    }

    private static String string(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static byte[] bytes(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        try {
            return list.get(tag).getByteValues();
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new AssertionError(e);
        }
    }

    /** Per-sample absolute difference between two decodings of the same size. */
    record PixelDifference(int max, double mean) {
        static PixelDifference of(BufferedImage expected, BufferedImage actual, int samples) {
            assertEquals(expected.getWidth(), actual.getWidth());
            assertEquals(expected.getHeight(), actual.getHeight());
            byte[] a = TestPhotos.samples(expected, samples);
            byte[] b = TestPhotos.samples(actual, samples);
            int max = 0;
            long sum = 0;
            for (int i = 0; i < a.length; i++) {
                int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
                max = Math.max(max, d);
                sum += d;
            }
            return new PixelDifference(max, (double) sum / a.length);
        }
    }
}
