package org.photobridge.gateway.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.viewer.ViewerTestPhotos;

/** The wire formats of the DICOMweb door without a server: DICOM JSON, Accept headers, queries, multipart. */
class DicomWebFormatsTest {

    private static byte[] jpegPhoto() {
        return ViewerTestPhotos.part10(ViewerTestPhotos.jpeg(64, 48, false, true),
                ViewerTestPhotos.instance(new UidGenerator(Optional.empty())));
    }

    @Test
    void metadataIsDicomJsonWithSortedHexKeysTypedValuesAndNoPixelData() throws Exception {
        AttributeList list = DicomObjects.read(jpegPhoto());
        JsonNode json = DicomJson.dataset(list);

        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys.stream().sorted().toList(), keys, "keys in ascending tag order");
        assertTrue(keys.stream().allMatch(k -> k.matches("[0-9A-F]{8}")), "8 upper-case hex digits: " + keys);
        assertFalse(json.has("7FE00010"), "no pixel data");
        assertFalse(keys.stream().anyMatch(k -> k.startsWith("0002")), "no file meta information");

        assertEquals("UI", json.at("/00080018/vr").asText());
        assertEquals(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID),
                json.at("/00080018/Value/0").asText());
        assertEquals("Viewer^Vera", json.at("/00100010/Value/0/Alphabetic").asText(), "PN as component groups");
        assertTrue(json.at("/00280010/Value/0").isNumber(), "US Rows as a number");
        assertEquals(48, json.at("/00280010/Value/0").asInt());
        assertTrue(json.at("/00200013/Value/0").isNumber(), "IS Instance Number as a number");
        assertEquals("SQ", json.at("/00082218/vr").asText());
        assertEquals("SCT", json.at("/00082218/Value/0/00080102/Value/0").asText(), "nested dataset");
        assertTrue(json.at("/00282000/InlineBinary").isTextual(), "ICC profile inline, base64");
        assertEquals("ISO_IR 192", json.at("/00080005/Value/0").asText());
    }

    @Test
    void explicitLittleEndianReencodingKeepsTheInstanceAndDecompressesPixels() throws Exception {
        byte[] stored = jpegPhoto();
        byte[] explicit = DicomObjects.asExplicitLittleEndian(stored);
        AttributeList list = DicomObjects.read(explicit);
        assertEquals(DicomObjects.EXPLICIT_LITTLE, DicomObjects.transferSyntax(list));
        assertEquals(Attribute.getSingleStringValueOrEmptyString(DicomObjects.read(stored), TagFromName.SOPInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID));
        assertEquals("RGB", Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PhotometricInterpretation));
        assertEquals(64 * 48 * 3, list.getPixelData().getByteValues().length);
        assertEquals("01", Attribute.getSingleStringValueOrEmptyString(list, TagFromName.LossyImageCompression),
                "it was lossy compressed once; that stays on record");
    }

    @Test
    void acceptHeadersChooseTheTransferSyntaxOrAnswer406() {
        assertEquals(List.of(DicomObjects.EXPLICIT_LITTLE), AcceptHeader.parse(null).dicomTransferSyntaxes());
        assertEquals(List.of(DicomObjects.EXPLICIT_LITTLE),
                AcceptHeader.parse("multipart/related; type=\"application/dicom\"").dicomTransferSyntaxes());
        assertEquals(List.of("*"), AcceptHeader.parse("multipart/related; type=\"application/dicom\"; transfer-syntax=*")
                .dicomTransferSyntaxes());
        assertEquals(List.of("1.2.840.10008.1.2.4.50", DicomObjects.EXPLICIT_LITTLE), AcceptHeader.parse(
                "multipart/related; type=application/dicom; q=0.5, "
                        + "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50")
                .dicomTransferSyntaxes());
        var refused = assertThrows(ProblemException.class,
                () -> AcceptHeader.parse("multipart/related; type=\"application/dicom+xml\"").dicomTransferSyntaxes());
        assertEquals(406, refused.problem().status());
        assertEquals(List.of(new AcceptHeader.FrameEncoding("application/octet-stream", DicomObjects.EXPLICIT_LITTLE)),
                AcceptHeader.parse("multipart/related; type=\"application/octet-stream\"").frameEncodings());
        assertEquals(List.of(new AcceptHeader.FrameEncoding("image/jpeg", DicomObjects.JPEG_BASELINE)),
                AcceptHeader.parse("multipart/related; type=\"image/jpeg\"").frameEncodings());
        assertThrows(ProblemException.class, () -> AcceptHeader.parse("image/jpeg").frameEncodings());
        AcceptHeader.parse("image/jpeg").requireJpeg();
        AcceptHeader.parse("*/*").requireJpeg();
        assertThrows(ProblemException.class, () -> AcceptHeader.parse("image/png").requireJpeg());
        AcceptHeader.parse("application/dicom+json, application/json;q=0.9").requireDicomJson();
        assertThrows(ProblemException.class, () -> AcceptHeader.parse("multipart/related; type=\"application/dicom+xml\"")
                .requireDicomJson());
    }

    @Test
    void queriesAcceptKeywordsAndTagsAndRefuseMalformedValues() {
        QidoQuery query = QidoQuery.parse(Map.of(
                "00100020", List.of("MRN-1"),
                "IssuerOfPatientID", List.of("1.2.3.4.5"),
                "StudyDate", List.of("20261101-20261130"),
                "includefield", List.of("PatientName,00100030"),
                "PatientName", List.of("Doe*"),
                "limit", List.of("10"),
                "offset", List.of("5")));
        assertEquals(Optional.of("MRN-1"), query.patientId());
        assertTrue(query.namesPatient());
        assertEquals(List.of("urn:oid:1.2.3.4.5", "urn:uuid:1.2.3.4.5", "1.2.3.4.5"),
                query.criteria(java.time.ZoneOffset.UTC).patientSystems());
        assertTrue(query.includes(TagFromName.PatientName));
        assertTrue(query.includes(TagFromName.PatientBirthDate));
        assertFalse(query.includes(TagFromName.PatientSex));
        assertEquals(List.of("PatientName"), query.ignored(), "unsupported matching keys are named, not applied");
        assertEquals(10, query.limit());
        assertEquals(5, query.offset());

        assertFalse(QidoQuery.parse(Map.of()).namesPatient(), "no patient named: a search across patients");
        assertTrue(QidoQuery.parse(Map.of("StudyInstanceUID", List.of("2.25.1"))).namesPatient(),
                "one study names its patient");
        assertEquals(QidoQuery.MAX_RESULTS, QidoQuery.parse(Map.of("limit", List.of("100000"))).limit());
        for (var bad : List.of(Map.of("PatientID", List.of("MRN*")), Map.of("limit", List.of("ten")),
                Map.of("offset", List.of("-1")), Map.of("StudyInstanceUID", List.of("not-a-uid")),
                Map.of("StudyDate", List.of("2026-11-01")), Map.of("includefield", List.of("NoSuchKeyword")))) {
            var e = assertThrows(ProblemException.class, () -> QidoQuery.parse(bad), bad.toString());
            assertEquals(400, e.problem().status());
            assertEquals(bad.keySet().iterator().next(), e.problem().field());
        }
    }

    @Test
    void multipartAnswerFramesEachObjectWithItsTransferSyntax() throws Exception {
        byte[] first = {1, 2, 3, '\r', '\n', '-', '-'};
        byte[] second = {4, 5};
        var body = new MultipartRelated(List.of(new MultipartRelated.Part(first, "1.2.840.10008.1.2.4.50"),
                new MultipartRelated.Part(second, DicomObjects.EXPLICIT_LITTLE)));
        var out = new ByteArrayOutputStream();
        body.writeTo(out);
        List<ViewerPhotos.Part> parts = ViewerPhotos.multipart(body.contentType(), out.toByteArray());
        assertTrue(body.contentType().startsWith("multipart/related; type=\"application/dicom\"; boundary="));
        assertEquals(2, parts.size());
        assertArrayEquals(first, parts.get(0).content());
        assertEquals("application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50", parts.get(0).contentType());
        assertArrayEquals(second, parts.get(1).content());
    }
}
