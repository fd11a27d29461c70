package org.photobridge.gateway.dicomweb;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.ADMIN;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.CONSULTANT;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.NURSE;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.OFFICER;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.PATIENT_SYSTEM;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.PHOTOGRAPHER;
import static org.photobridge.gateway.dicomweb.ViewerPhotos.SURGEON;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.dicom.DicomTools;
import org.photobridge.gateway.testing.Keycloak;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The DICOMweb door as EHR viewers use it, against real peers: Keycloak tokens and Orthanc as the
 * PACS (photos purged from the gateway, so pixels come from the PACS over WADO-RS). Run by
 * {@link DicomWebDoorTest}.
 */
abstract class DicomWebDoorContract {
    private static final String ALL_AS_STORED = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    private static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

    @Inject
    AuditLog audit;

    private static RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user));
    }

    @Test
    void permittedViewerQueriesAndRetrievesAndWithdrawalRemovesThePhoto() throws Exception {
        String mrn = "MRN-DW-" + UUID.randomUUID();
        String consentId = ViewerPhotos.recordClinicalCareConsent(CONSULTANT, mrn);
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn);
        ViewerPhotos.awaitStoredInPacsOnly(photo);

        // QIDO-RS: the patient's study, by keyword and by tag, with the issuer or without.
        Response studies = as(CONSULTANT).queryParam("PatientID", mrn).get("/dicomweb/studies");
        studies.then().statusCode(200).contentType("application/dicom+json")
                .header("Cache-Control", "no-store")
                .body("$", hasSize(1))
                .body("[0].'0020000D'.vr", equalTo("UI"))
                .body("[0].'0020000D'.Value[0]", equalTo(photo.study()))
                .body("[0].'00100020'.Value[0]", equalTo(mrn))
                .body("[0].'00100021'.Value[0]", equalTo("1.2.3.4.5"))
                .body("[0].'00080061'.Value", equalTo(List.of("XC")))
                .body("[0].'00201206'.Value[0]", equalTo(1))
                .body("[0].'00201208'.Value[0]", equalTo(1))
                .body("[0].'00081190'.Value[0]", startsWith("http"));
        as(CONSULTANT).queryParam("00100020", mrn).queryParam("IssuerOfPatientID", "1.2.3.4.5")
                .get("/dicomweb/studies").then().statusCode(200).body("$", hasSize(1));
        as(CONSULTANT).queryParam("PatientID", mrn).queryParam("IssuerOfPatientID", "9.9.9")
                .get("/dicomweb/studies").then().statusCode(200).body("$", hasSize(0));
        as(CONSULTANT).queryParam("PatientID", mrn).queryParam("includefield", "PatientName,00100030")
                .get("/dicomweb/studies").then().statusCode(200)
                .body("[0].'00100010'.Value[0].Alphabetic", equalTo("Doe^Jane"))
                .body("[0].'00100030'.Value[0]", equalTo("19800131"));
        as(CONSULTANT).queryParam("StudyInstanceUID", photo.study()).get("/dicomweb/studies").then()
                .statusCode(200).body("$", hasSize(1));
        as(CONSULTANT).queryParam("PatientID", mrn).queryParam("limit", "x").get("/dicomweb/studies").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("limit"));

        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/series").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].'0020000E'.Value[0]", equalTo(photo.series()))
                .body("[0].'00080060'.Value[0]", equalTo("XC"))
                .body("[0].'00201209'.Value[0]", equalTo(1));
        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/series/" + photo.series() + "/instances").then()
                .statusCode(200).body("$", hasSize(1)).body("[0].'00080018'.Value[0]", equalTo(photo.sop()))
                .body("[0].'00080016'.Value[0]", equalTo("1.2.840.10008.5.1.4.1.1.77.1.4"));
        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/instances").then().statusCode(200)
                .body("$", hasSize(1));

        // WADO-RS instance, as stored (JPEG Baseline) and in the default Explicit VR Little Endian.
        Response stored = as(CONSULTANT).accept(ALL_AS_STORED).get(photo.instancePath());
        stored.then().statusCode(200).header("Cache-Control", "no-store");
        String contentType = stored.contentType();
        assertTrue(contentType.startsWith("multipart/related"), contentType);
        assertTrue(contentType.contains("type=\"application/dicom\""), contentType);
        List<ViewerPhotos.Part> parts = ViewerPhotos.multipart(contentType, stored.asByteArray());
        assertEquals(1, parts.size());
        assertEquals("application/dicom; transfer-syntax=" + JPEG_BASELINE, parts.get(0).contentType());
        AttributeList object = parts.get(0).dicom();
        assertEquals(photo.sop(), Attribute.getSingleStringValueOrEmptyString(object, TagFromName.SOPInstanceUID));
        assertEquals(JPEG_BASELINE, Attribute.getSingleStringValueOrEmptyString(object, TagFromName.TransferSyntaxUID));

        Response explicit = as(CONSULTANT).accept("multipart/related; type=\"application/dicom\"").get(photo.instancePath());
        explicit.then().statusCode(200);
        var explicitPart = ViewerPhotos.multipart(explicit.contentType(), explicit.asByteArray()).get(0);
        assertEquals("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", explicitPart.contentType());
        Path file = Files.createTempFile("dicomweb-", ".dcm");
        try {
            Files.write(file, explicitPart.content());
            // An independent reader (dcmtk) agrees on the SOP Instance UID and the encoding.
            String dump = DicomTools.dcmdump(file).output();
            assertTrue(dump.contains("[" + photo.sop() + "]"), dump);
            assertTrue(dump.contains("=LittleEndianExplicit"), dump);
            // And the re-encoded object is still a conformant VL Photographic Image.
            assertEquals(List.of(), DicomTools.dciodvfy(file).linesContaining("Error"));
        } finally {
            Files.deleteIfExists(file);
        }
        as(CONSULTANT).accept("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.90")
                .get(photo.instancePath()).then().statusCode(406).contentType("application/problem+json");

        // WADO-RS metadata at each level, rendered and thumbnail.
        as(CONSULTANT).accept("application/dicom+json").get(photo.instancePath() + "/metadata").then().statusCode(200)
                .contentType("application/dicom+json").header("Cache-Control", "no-store")
                .body("$", hasSize(1))
                .body("[0].'00080018'.Value[0]", equalTo(photo.sop()))
                .body("[0].'00100010'.vr", equalTo("PN"))
                .body("[0].'00100010'.Value[0].Alphabetic", equalTo("Doe^Jane"))
                .body("[0].'00083002'.Value[0]", equalTo(JPEG_BASELINE))
                .body("[0].'7FE00010'", org.hamcrest.Matchers.nullValue());
        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/metadata").then().statusCode(200)
                .body("$", hasSize(1));
        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/series/" + photo.series() + "/metadata").then()
                .statusCode(200).body("$", hasSize(1));

        Response rendered = as(CONSULTANT).accept("image/jpeg").get(photo.instancePath() + "/rendered");
        rendered.then().statusCode(200).contentType("image/jpeg").header("Cache-Control", "no-store");
        var image = ImageIO.read(new ByteArrayInputStream(rendered.asByteArray()));
        assertNotNull(image, "rendered is a readable JPEG");
        Response thumbnail = as(PHOTOGRAPHER).accept("image/jpeg").get(photo.instancePath() + "/thumbnail");
        thumbnail.then().statusCode(200).contentType("image/jpeg");
        var small = ImageIO.read(new ByteArrayInputStream(thumbnail.asByteArray()));
        assertTrue(small.getWidth() <= 256 && small.getHeight() <= 256);
        as(CONSULTANT).accept("image/png").get(photo.instancePath() + "/rendered").then().statusCode(406);

        // Frames, as viewers such as OHIF load pixels: the stored JPEG stream, or uncompressed RGB.
        var metadata = as(CONSULTANT).get(photo.instancePath() + "/metadata").then().extract().jsonPath();
        int rows = metadata.getInt("[0].'00280010'.Value[0]");
        int columns = metadata.getInt("[0].'00280011'.Value[0]");
        Response jpegFrame = as(CONSULTANT)
                .accept("multipart/related; type=\"application/octet-stream\"; transfer-syntax=*")
                .get(photo.instancePath() + "/frames/1");
        jpegFrame.then().statusCode(200).header("Cache-Control", "no-store");
        var framePart = ViewerPhotos.multipart(jpegFrame.contentType(), jpegFrame.asByteArray()).get(0);
        assertEquals("application/octet-stream; transfer-syntax=" + JPEG_BASELINE, framePart.contentType());
        var decoded = ImageIO.read(new ByteArrayInputStream(framePart.content()));
        assertEquals(columns, decoded.getWidth(), "the frame is the photo's JPEG stream");
        Response rawFrame = as(CONSULTANT).accept("multipart/related; type=\"application/octet-stream\"")
                .get(photo.instancePath() + "/frames/1");
        rawFrame.then().statusCode(200);
        var rawPart = ViewerPhotos.multipart(rawFrame.contentType(), rawFrame.asByteArray()).get(0);
        assertEquals("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1", rawPart.contentType());
        assertEquals(rows * columns * 3, rawPart.content().length, "uncompressed interleaved RGB");
        as(CONSULTANT).get(photo.instancePath() + "/frames/2").then().statusCode(404);
        as(CONSULTANT).get(photo.instancePath() + "/frames/x").then().statusCode(400);

        // Audited: the query with what it returned, the retrieves, the metadata read.
        List<AuditRecord> queries = audit(mrn, AuditAction.PATIENT_QUERY, CONSULTANT);
        assertTrue(queries.stream().anyMatch(r -> r.success() && r.entities().contains("urn:dicom:uid:" + photo.study())
                && r.detail().startsWith("QIDO-RS studies: 1 returned")), "QIDO audited: " + queries);
        List<AuditRecord> views = audit(mrn, AuditAction.PHOTO_VIEWED, CONSULTANT);
        assertTrue(views.stream().filter(r -> r.entities().contains("urn:dicom:uid:" + photo.sop())
                && r.detail().contains("retrieve")).count() >= 2, "retrieves audited: " + views);
        assertTrue(views.stream().anyMatch(r -> r.detail().contains("rendered")), "rendered audited: " + views);
        assertTrue(audit(mrn, AuditAction.PATIENT_READ, CONSULTANT).stream()
                .anyMatch(r -> r.detail().contains("metadata") && r.entities().contains("urn:dicom:uid:" + photo.sop())));

        // Withdrawal by a dermatology consent manager: gone from queries and from retrieval.
        ViewerPhotos.withdrawConsent(CONSULTANT, consentId, mrn);
        as(CONSULTANT).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(200)
                .body("$", hasSize(0));
        as(CONSULTANT).get("/dicomweb/studies/" + photo.study() + "/instances").then().statusCode(200)
                .body("$", hasSize(0));
        as(CONSULTANT).accept(ALL_AS_STORED).get(photo.instancePath()).then().statusCode(404)
                .contentType("application/problem+json");
        as(CONSULTANT).get(photo.instancePath() + "/rendered").then().statusCode(404);
        as(CONSULTANT).get(photo.instancePath() + "/metadata").then().statusCode(404);
        assertTrue(audit(mrn, AuditAction.ACCESS_DENIED, CONSULTANT).stream()
                .anyMatch(r -> !r.success() && r.detail().contains("withdrew")
                        && r.entities().contains("urn:dicom:uid:" + photo.sop())), "refusal after withdrawal audited");
        assertTrue(audit(mrn, AuditAction.PATIENT_QUERY, CONSULTANT).stream()
                .anyMatch(r -> r.detail().equals("QIDO-RS studies: 0 returned")), "empty query audited");
        assertTrue(audit.verify().intact(), "the audit chain is intact");
    }

    @Test
    void otherDepartmentsComplianceAndStrangersGetNothing() {
        String mrn = "MRN-DX-" + UUID.randomUUID();
        ViewerPhotos.recordClinicalCareConsent(CONSULTANT, mrn);
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn);
        // Served from the gateway's copy or the PACS alike: the door decides before reading pixels.
        as(PHOTOGRAPHER).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(200)
                .body("$", hasSize(1));

        // Another department, and a decoy group named like a department: nothing listed, nothing served.
        for (String user : List.of(SURGEON, NURSE)) {
            as(user).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(200)
                    .header("Cache-Control", "no-store").body("$", hasSize(0));
            as(user).get("/dicomweb/studies/" + photo.study() + "/series").then().statusCode(200).body("$", hasSize(0));
            as(user).accept(ALL_AS_STORED).get(photo.instancePath()).then().statusCode(404)
                    .contentType("application/problem+json").header("Cache-Control", "no-store");
            as(user).get(photo.instancePath() + "/metadata").then().statusCode(404);
            as(user).get(photo.instancePath() + "/rendered").then().statusCode(404);
            as(user).get(photo.instancePath() + "/thumbnail").then().statusCode(404);
            as(user).get(photo.instancePath() + "/frames/1").then().statusCode(404);
            as(user).get("/dicomweb/studies/" + photo.study()).then().statusCode(404);
            // The same answer as for an instance that does not exist.
            as(user).get("/dicomweb/studies/" + photo.study() + "/series/" + photo.series() + "/instances/2.25.1")
                    .then().statusCode(404);
            assertTrue(audit(mrn, AuditAction.ACCESS_DENIED, user).stream()
                    .anyMatch(r -> r.detail().contains("none of the photo's departments")), user + " refusal audited");
            assertTrue(audit(mrn, AuditAction.PATIENT_QUERY, user).stream()
                    .anyMatch(r -> r.detail().equals("QIDO-RS studies: 0 returned")), user + " query audited");
        }

        // Compliance is no care role: it may ask, and gets no photos (it audits through FHIR).
        as(OFFICER).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(200).body("$", hasSize(0));
        as(OFFICER).get("/dicomweb/studies").then().statusCode(200).body("$", hasSize(0));
        as(OFFICER).get(photo.instancePath()).then().statusCode(404);

        // Care roles name the patient; no role besides care and compliance reads patients' studies.
        as(CONSULTANT).get("/dicomweb/studies").then().statusCode(403).contentType("application/problem+json");
        as(CONSULTANT).queryParam("PatientID", "MRN*").get("/dicomweb/studies").then().statusCode(400)
                .body("field", equalTo("PatientID"));
        as(ADMIN).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(403)
                .contentType("application/problem+json");
        as(ADMIN).get(photo.instancePath()).then().statusCode(403);
        assertFalse(auditAny(AuditAction.ACCESS_DENIED, ADMIN).isEmpty(), "admin refusal audited");

        // No token: 401, and still not cacheable.
        given().get("/dicomweb/studies?PatientID=" + mrn).then().statusCode(401).header("Cache-Control", "no-store");
        given().get(photo.instancePath()).then().statusCode(401);
    }

    @Test
    void photoWithoutClinicalCareConsentIsNeitherListedNorServed() {
        String mrn = "MRN-DN-" + UUID.randomUUID();
        ViewerPhotos.Photo photo = ViewerPhotos.uploadDermatologyPhoto(mrn);
        as(CONSULTANT).queryParam("PatientID", mrn).get("/dicomweb/studies").then().statusCode(200)
                .body("$", hasSize(0));
        as(CONSULTANT).get(photo.instancePath()).then().statusCode(404);
        assertTrue(audit(mrn, AuditAction.ACCESS_DENIED, CONSULTANT).stream()
                .anyMatch(r -> r.detail().contains("consent")), "consent refusal audited");
    }

    private List<AuditRecord> audit(String mrn, AuditAction action, String user) {
        return audit.search(new AuditQuery(Optional.of(new BusinessIdentifier(PATIENT_SYSTEM, mrn)), Optional.empty(),
                Optional.empty(), DateRange.ANY, Set.of(action)), 0, 500).items().stream()
                .filter(r -> user.equals(r.agentName())).toList();
    }

    private List<AuditRecord> auditAny(AuditAction action, String user) {
        return audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), DateRange.ANY,
                Set.of(action)), 0, 500).items().stream().filter(r -> user.equals(r.agentName())).toList();
    }
}
