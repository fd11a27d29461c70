package org.photobridge.gateway.intake;

import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.AccessTagBlock;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.DicomTools;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The core path against real peers: a Keycloak token, the gateway, and Orthanc reached by C-STORE
 * (destination pacs-dimse) and by STOW-RS (destination pacs-stow).
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class PhotoUploadToPacsTest {
    private static final List<String> SECRETS = List.of(TestImages.ARTIST, TestImages.BODY_SERIAL, TestImages.OWNER,
            TestImages.LENS_SERIAL, TestImages.GPS_DATUM, TestImages.THUMBNAIL_COMMENT, TestImages.XMP_CREATOR,
            TestImages.IPTC_TEXT, "COMMENT-SECRET", TestImages.TRAILER, "VENDOR-SECRET", "Exif\0\0",
            "http://ns.adobe.com/xap", "Photoshop 3.0", "Canon");

    @TempDir
    Path tmp;

    private static String newMrn() {
        return "MRN-" + UUID.randomUUID();
    }

    @Test
    void cleanUprightTaggedPhotoReachesPacsByCStoreAndStowRs() throws Exception {
        byte[] upload = TestImages.jpegWithAllMetadata(TestImages.storedFor(TestImages.scene(), 6), 6);
        String mrn = newMrn();

        Response accepted = Uploads.upload(PLASTICS, upload, "IMG_0001.JPG", Uploads.metadata(mrn, "ENC-2026-118"));
        accepted.then().statusCode(202)
                .contentType("application/json")
                .body("status", equalTo("QUEUED"))
                .body("sopInstanceUid", matchesPattern("2\\.25\\.[0-9]+"))
                .body("studyInstanceUid", matchesPattern("2\\.25\\.[0-9]+"))
                .body("sha256", equalTo(sha256(upload)));
        String id = accepted.path("id");
        accepted.then().header("Location", endsWith("/api/v1/photos/" + id));
        String sop = accepted.path("sopInstanceUid");

        Map<String, Object> stored = Uploads.awaitStoredAndPurged(PLASTICS, id);
        List<Map<String, Object>> deliveries = castList(stored.get("deliveries"));
        assertEquals(2, deliveries.size());
        for (Map<String, Object> delivery : deliveries) {
            assertEquals("STORED", delivery.get("status"), delivery.toString());
            assertEquals(1, delivery.get("attempts"), "sent once per destination: " + delivery);
        }

        List<String> inOrthanc = Orthanc.instancesWithSopUid(sop);
        assertEquals(1, inOrthanc.size());
        assertEquals("1.2.840.10008.1.2.4.50", Orthanc.transferSyntax(inOrthanc.get(0)),
                "a rotated JPEG stays JPEG baseline");
        byte[] object = Orthanc.file(inOrthanc.get(0));
        String text = new String(object, StandardCharsets.ISO_8859_1);
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), "the PACS copy still contains '" + secret.strip() + "'");
        }

        Path file = Files.write(tmp.resolve("stored.dcm"), object);
        AttributeList tags = DicomTags.read(file);
        assertEquals(mrn, DicomTags.string(tags, TagFromName.PatientID).orElseThrow());
        assertEquals("Doe^Jane", DicomTags.string(tags, TagFromName.PatientName).orElseThrow());
        assertEquals("plastic-surgery", DicomTags.string(tags, TagFromName.InstitutionalDepartmentName).orElseThrow());
        assertEquals(List.of("plastic-surgery"), AccessTagBlock.accessTags(tags));
        assertEquals("L", DicomTags.string(tags, TagFromName.ImageLaterality).orElseThrow());
        assertEquals("XC", DicomTags.string(tags, TagFromName.Modality).orElseThrow());
        assertEquals("Apple", DicomTags.string(tags, TagFromName.Manufacturer).orElseThrow(),
                "request metadata wins over EXIF");
        assertEquals("ENC-2026-118", DicomTags.string(tags, TagFromName.AdmissionID).orElseThrow());
        var region = (SequenceAttribute) tags.get(TagFromName.AnatomicRegionSequence);
        assertEquals("76752008", DicomTags.string(region.getItem(0).getAttributeList(), TagFromName.CodeValue).orElseThrow());
        assertEquals(TestImages.W, DicomTags.string(tags, TagFromName.Columns).map(Integer::parseInt).orElseThrow());
        assertEquals(TestImages.H, DicomTags.string(tags, TagFromName.Rows).map(Integer::parseInt).orElseThrow());
        assertEquals("01", DicomTags.string(tags, TagFromName.LossyImageCompression).orElseThrow());
        // 64 x 48 is whole MCUs: turned by moving the camera's blocks, no second lossy step.
        assertEquals(List.of("ISO_10918_1"), DicomTags.strings(tags, TagFromName.LossyImageCompressionMethod));
        assertEquals("EXIF orientation 6 applied; JPEG transformed without re-encoding",
                DicomTags.string(tags, TagFromName.DerivationDescription).orElseThrow());
        assertEquals(List.of("DERIVED", "PRIMARY"), DicomTags.strings(tags, TagFromName.ImageType));

        var dciodvfy = DicomTools.dciodvfy(file);
        assertTrue(dciodvfy.linesContaining("Error").isEmpty(), dciodvfy.output());

        BufferedImage decoded = ImageIO.read(DicomTools.dcmj2pnm(file, tmp.resolve("decoded.png")).toFile());
        assertEquals(TestImages.W, decoded.getWidth());
        assertEquals(TestImages.H, decoded.getHeight());
        assertColour("top-left is red (upright)", decoded.getRGB(4, 4), 255, 0, 0);
        assertColour("top-right is green", decoded.getRGB(TestImages.W - 5, 4), 0, 255, 0);
        assertColour("bottom-right is blue", decoded.getRGB(TestImages.W - 5, TestImages.H - 5), 0, 0, 255);
    }

    @Test
    void pngArrivesLosslessWithIdenticalPixels() throws Exception {
        BufferedImage scene = TestImages.scene();
        byte[] png = TestImages.imageIoPng(scene, false);
        Response accepted = Uploads.upload(PLASTICS, png, "wound.png", Uploads.metadata(newMrn(), "ENC-PNG"));
        accepted.then().statusCode(202);
        String id = accepted.path("id");
        Uploads.awaitStatus(PLASTICS, id, "STORED");

        String orthancId = Orthanc.instancesWithSopUid(accepted.path("sopInstanceUid")).get(0);
        assertEquals("1.2.840.10008.1.2.1", Orthanc.transferSyntax(orthancId));
        Path file = Files.write(tmp.resolve("png.dcm"), Orthanc.file(orthancId));
        var dciodvfy = DicomTools.dciodvfy(file);
        assertTrue(dciodvfy.linesContaining("Error").isEmpty(), dciodvfy.output());
        BufferedImage decoded = ImageIO.read(DicomTools.dcmj2pnm(file, tmp.resolve("png.png")).toFile());
        for (int y = 0; y < scene.getHeight(); y++) {
            for (int x = 0; x < scene.getWidth(); x++) {
                assertEquals(scene.getRGB(x, y) & 0xFFFFFF, decoded.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void sameBytesForSameEncounterAreOnePhotoSentOnce() {
        byte[] upload = TestImages.jpeg(TestImages.scene());
        String metadata = Uploads.metadata(newMrn(), "ENC-IDEMPOTENT");
        Response first = Uploads.upload(PLASTICS, upload, "a.jpg", metadata);
        first.then().statusCode(202);
        String id = first.path("id");
        Uploads.awaitStatus(PLASTICS, id, "STORED");

        Response again = Uploads.upload(PLASTICS, upload, "a-copy.jpg", metadata);
        again.then().statusCode(200).body("id", equalTo(id)).body("status", equalTo("STORED"));
        Map<String, Object> status = Uploads.status(PLASTICS, id).extract().jsonPath().getMap("$");
        for (Map<String, Object> delivery : castList(status.get("deliveries"))) {
            assertEquals(1, delivery.get("attempts"), "nothing is sent twice: " + delivery);
        }
        assertEquals(1, Orthanc.instancesWithSopUid(first.path("sopInstanceUid")).size());
    }

    @Test
    void laterPhotosOfTheEncounterJoinItsStudy() {
        String mrn = newMrn();
        String metadata = Uploads.metadata(mrn, "ENC-STUDY");
        Response one = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "1.jpg", metadata);
        Response two = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.grayScene()), "2.jpg", metadata);
        Response otherEncounter = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "3.jpg",
                Uploads.metadata(mrn, "ENC-OTHER"));
        one.then().statusCode(202);
        two.then().statusCode(202).body("studyInstanceUid", equalTo(one.path("studyInstanceUid")))
                .body("seriesInstanceUid", equalTo(one.path("seriesInstanceUid")));
        otherEncounter.then().statusCode(202);
        assertFalse(otherEncounter.path("studyInstanceUid").equals(one.path("studyInstanceUid")));
    }

    @Test
    void photoAcceptedWhilePacsIsDownIsDeliveredOnceItIsBack() {
        Orthanc.stop();
        String id;
        String sop;
        try {
            Response accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "outage.jpg",
                    Uploads.metadata(newMrn(), "ENC-OUTAGE"));
            accepted.then().statusCode(202);
            id = accepted.path("id");
            sop = accepted.path("sopInstanceUid");
            Map<String, Object> retrying = Uploads.awaitStatus(PLASTICS, id, Duration.ofSeconds(30),
                    json -> castList(json.get("deliveries")).stream()
                            .allMatch(d -> "RETRYING".equals(d.get("status")) && d.get("lastError") != null));
            assertEquals("SENDING", retrying.get("status"));
            assertFalse(Boolean.TRUE.equals(retrying.get("bytesPurged")));
        } finally {
            Orthanc.start();
        }
        Map<String, Object> stored = Uploads.awaitStatus(PLASTICS, id, "STORED");
        for (Map<String, Object> delivery : castList(stored.get("deliveries"))) {
            assertEquals("STORED", delivery.get("status"));
        }
        assertEquals(1, Orthanc.instancesWithSopUid(sop).size(), "delivered exactly once");
    }

    private static void assertColour(String what, int rgb, int r, int g, int b) {
        int ar = (rgb >> 16) & 0xFF;
        int ag = (rgb >> 8) & 0xFF;
        int ab = rgb & 0xFF;
        assertTrue(Math.abs(ar - r) < 40 && Math.abs(ag - g) < 40 && Math.abs(ab - b) < 40,
                what + ": got " + ar + "," + ag + "," + ab);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> castList(Object value) {
        return (List<Map<String, Object>>) value;
    }

    static String sha256(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
