package org.photobridge.gateway.store;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.DateRange;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.SignedForms;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.persistence.ConsentVersionRow;
import org.photobridge.gateway.persistence.ConsentVersions;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.routing.PacsDeliveryHandler;
import org.photobridge.gateway.routing.PhotoNotReadableException;
import org.photobridge.gateway.routing.PhotoSources;
import org.photobridge.gateway.testing.EhrTestResource;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Keys and what is at rest, on the running gateway against the real Keycloak, Orthanc and
 * PostgreSQL: blobs swapped between photos, format-1 blobs under a retired key, a PACS that answers
 * with another patient's object, key rotation with the re-encryption job, signed forms sealed.
 */
@QuarkusTest
@TestProfile(StoreSecurityTest.Profile.class)
@QuarkusTestResource(TestStack.class)
class StoreSecurityTest {
    private static final String PLASTICS = "plastics.surgeon";
    private static final String ADMIN = "gateway.admin";
    private static final String OFFICER = "compliance.officer";

    /** Consent required before capture; local copies kept a day; a retired key in the ring. */
    public static class Profile implements QuarkusTestProfile {
        static final SecretKey PREVIOUS_KEY;
        static final Path PREVIOUS_KEY_FILE;

        static {
            // Quarkus loads this class twice (for the configuration and for the test): both must see
            // one key, so the first writes the file and the second reads it.
            PREVIOUS_KEY_FILE = Path.of("target", "store-security-test-previous.key").toAbsolutePath();
            try {
                if (!Files.exists(PREVIOUS_KEY_FILE)) {
                    byte[] fresh = new byte[32];
                    new SecureRandom().nextBytes(fresh);
                    Files.createDirectories(PREVIOUS_KEY_FILE.getParent());
                    Files.writeString(PREVIOUS_KEY_FILE, Base64.getEncoder().encodeToString(fresh));
                    Files.setPosixFilePermissions(PREVIOUS_KEY_FILE, PosixFilePermissions.fromString("rw-------"));
                }
                PREVIOUS_KEY = new SecretKeySpec(Base64.getDecoder().decode(Files.readString(PREVIOUS_KEY_FILE).strip()),
                        "AES");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            config.put("photobridge.consent.capture-policy", "require");
            config.put("photobridge.store.retention-after-stored", "P1D");
            config.put("photobridge.store.previous-key-files", PREVIOUS_KEY_FILE.toString());
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EhrTestResource.class));
        }
    }

    @Inject
    Photos photos;

    @Inject
    StoreConfig config;

    @Inject
    EncryptedBlobStore store;

    @Inject
    PhotoSources sources;

    @Inject
    AuditLog audit;

    @Inject
    ConsentVersions versions;

    @Inject
    SignedForms forms;

    @Inject
    PacsDeliveryHandler deliveries;

    record Uploaded(String id, String mrn, String sop, String consentId) {
        UUID uuid() {
            return UUID.fromString(id);
        }
    }

    // --- the tests -----------------------------------------------------------------------------------------

    @Test
    void blobsSwappedBetweenPhotosFailToDecryptAndRaiseAnAuditedAlertNotAFallback() throws IOException {
        Uploaded a = upload();
        Uploaded b = upload();
        rendered(a).then().statusCode(200);

        swap(a, b);
        Response refused = rendered(a);
        assertEquals(500, refused.statusCode());
        assertTrue(refused.contentType().startsWith("application/problem+json"), refused.contentType());
        assertTrue(refused.path("type").toString().endsWith("photo-integrity-failure"), refused.asString());
        assertFalse(refused.asString().contains(a.mrn) || refused.asString().contains(b.mrn), "no MRN in the error");
        assertEquals(500, rendered(b).statusCode());
        AuditRecord alert = alertAbout(a.sop);
        assertFalse(alert.success());
        assertTrue(alert.detail().contains("failed decryption"), alert.detail());
        assertFalse(alert.detail().contains(a.mrn), "the detail names no patient");

        // A delivery of the swapped copy is parked before any byte is sent, with an alert of its own.
        int alertsBefore = records(AuditAction.SECURITY_ALERT).size();
        WorkOutcome outcome = deliveries.attempt(photos.deliveries(a.uuid()).get(0));
        assertTrue(outcome instanceof WorkOutcome.Failed failed && failed.message().contains("security alert"),
                outcome.toString());
        assertEquals(alertsBefore + 1, records(AuditAction.SECURITY_ALERT).size());

        swap(a, b);
        rendered(a).then().statusCode(200);
    }

    @Test
    void aLaterSegmentThatFailsDecryptionAbortsTheSendSoThePacsKeepsNothingAndRaisesAnAlert() throws IOException {
        Uploaded a = upload(noise(1600, 1200));
        awaitInOrthanc(a.sop);
        Path blob = blobFile(a);
        assertTrue(Files.size(blob) > (1 << 20) + 4096, "the copy spans more than one encrypted segment: " + Files.size(blob));
        for (String orthancId : Orthanc.instancesWithSopUid(a.sop)) {
            Orthanc.rest().delete(Orthanc.httpBase() + "/instances/" + orthancId).then().statusCode(200);
        }
        // One flipped bit in the last segment: the first segments decrypt (and go out), the last does not.
        byte[] sealed = Files.readAllBytes(blob);
        int at = sealed.length - 100;
        sealed[at] ^= 0x01;
        Files.write(blob, sealed);
        int alertsBefore = records(AuditAction.SECURITY_ALERT).size();

        WorkItem dimse = photos.deliveries(a.uuid()).stream().filter(d -> "pacs-dimse".equals(d.destination))
                .findFirst().orElseThrow();
        WorkOutcome outcome = deliveries.attempt(dimse);

        assertTrue(outcome instanceof WorkOutcome.Failed failed && failed.message().contains("security alert"),
                outcome.toString());
        assertEquals(alertsBefore + 1, records(AuditAction.SECURITY_ALERT).size());
        assertTrue(alertAbout(a.sop).detail().contains("failed decryption"), alertAbout(a.sop).detail());
        pause();
        assertTrue(Orthanc.instancesWithSopUid(a.sop).isEmpty(), "Orthanc kept nothing of the cut-off object");

        sealed[at] ^= 0x01;
        Files.write(blob, sealed);
        WorkOutcome resent = deliveries.attempt(dimse);
        assertTrue(resent instanceof WorkOutcome.Done, resent.toString());
        assertEquals(1, Orthanc.instancesWithSopUid(a.sop).size(), "the intact copy arrives once");
    }

    @Test
    void formatOneBlobsUnderARetiredKeyStayReadableAreIdentityCheckedAndReencryptedByTheJob() throws IOException {
        Uploaded a = upload();
        Uploaded b = upload();
        toFormatOneUnderThePreviousKey(a);
        toFormatOneUnderThePreviousKey(b);
        assertEquals(Optional.empty(), store.keyIdOf(blobKey(a)));
        rendered(a).then().statusCode(200);

        // Format 1 is not bound to its photo: the identity check after decryption catches the swap.
        swap(a, b);
        assertEquals(500, rendered(a).statusCode());
        AuditRecord alert = alertAbout(a.sop);
        assertTrue(alert.detail().contains("SOP Instance UID"), alert.detail());
        swap(a, b);

        as(PLASTICS).post("/api/v1/store/re-encryption").then().statusCode(403);
        Response started = as(ADMIN).post("/api/v1/store/re-encryption");
        assertEquals(202, started.statusCode(), started.asString());
        assertEquals(store.activeKeyId(), started.path("activeKeyId"));
        Map<String, Object> done = awaitJson(() -> as(ADMIN).get("/api/v1/store/re-encryption"),
                json -> !"RUNNING".equals(json.get("state")));
        assertEquals("DONE", done.get("state"), done.toString());
        assertTrue(((Number) done.get("photosReencrypted")).intValue() >= 2, done.toString());
        assertEquals(0, ((Number) done.get("failures")).intValue(), done.toString());
        assertEquals(Optional.of(store.activeKeyId()), store.keyIdOf(blobKey(a)));
        assertEquals(Optional.of(store.activeKeyId()), store.keyIdOf(blobKey(b)));
        rendered(a).then().statusCode(200);

        // Now bound to its photo: a swap fails decryption.
        swap(a, b);
        assertEquals(500, rendered(b).statusCode());
        assertTrue(alertAbout(b.sop).detail().contains("failed decryption"));
        swap(a, b);

        List<String> details = records(AuditAction.STORE_KEY_ROTATION).stream().map(AuditRecord::detail).toList();
        assertTrue(details.stream().anyMatch(d -> d.startsWith("re-encryption under storage key "
                + store.activeKeyId() + " started")), details.toString());
        assertTrue(details.stream().anyMatch(d -> d.contains("finished")), details.toString());
    }

    @Test
    void aPacsThatAnswersWithAnotherPatientsObjectIsRefusedWithAnAlert() throws Exception {
        Uploaded c = upload();
        awaitInOrthanc(c.sop);
        // The PACS now holds, under this photo's UIDs, an object of another patient.
        String orthancId = Orthanc.instancesWithSopUid(c.sop).get(0);
        AttributeList list = DicomTags.read(new ByteArrayInputStream(Orthanc.file(orthancId)));
        list.replaceWithValueIfPresent(TagFromName.PatientID, "MRN-SOMEONE-ELSE");
        var modified = new ByteArrayOutputStream();
        list.write(modified, Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID), true,
                true);
        Orthanc.rest().delete(Orthanc.httpBase() + "/instances/" + orthancId).then().statusCode(200);
        Orthanc.rest().contentType("application/dicom").body(modified.toByteArray())
                .post(Orthanc.httpBase() + "/instances").then().statusCode(200);

        PhotoRecord row = photos.find(c.uuid()).orElseThrow();
        PhotoRecord purged = copyWithoutLocalBytes(row);
        var study = photos.study(row.studyId);
        var ref = new InstanceRef(study.studyInstanceUid, photos.series(row.seriesId).seriesInstanceUid,
                row.sopClassUid, row.sopInstanceUid);
        var e = assertThrows(PhotoNotReadableException.class, () -> sources.read(purged, ref));
        assertEquals(PhotoNotReadableException.Reason.INTEGRITY, e.reason());
        assertTrue(e.getMessage().contains("Patient ID"), e.getMessage());
        assertFalse(e.getMessage().contains(c.mrn), e.getMessage());
        assertTrue(alertAbout(c.sop).detail().contains("a PACS (WADO-RS)"));
    }

    @Test
    void signedFormsAreSealedAtRestAndFhirReadsReturnTheSameAttachment() {
        Uploaded d = upload();
        byte[] form = ConsentFixtures.signedFormBytes();
        String base64 = Base64.getEncoder().encodeToString(form);
        ConsentVersionRow row = QuarkusTransaction.requiringNew()
                .call(() -> versions.version(d.consentId, 1).orElseThrow());
        assertFalse(row.json.contains(base64), "the form is not in the stored JSON");
        assertNotNull(row.sourceForm);
        assertFalse(new String(row.sourceForm, StandardCharsets.ISO_8859_1).contains(base64));
        assertEquals(store.activeKeyId(), row.formKeyId);
        assertArrayEquals(form, formRead(d.consentId));

        // A version written before V10 (form in plaintext) is sealed by the start-up backfill.
        String plaintextJson = QuarkusTransaction.requiringNew().call(() -> {
            ConsentVersionRow managed = versions.version(d.consentId, 1).orElseThrow();
            String original = FhirContexts.r4().newJsonParser().encodeResourceToString(
                    ConsentFixtures.withSignedForm(ConsentFixtures.teachingButNoMarketing(d.mrn), form));
            managed.json = original;
            managed.sourceForm = null;
            managed.formKeyId = null;
            managed.formPending = true;
            return original;
        });
        assertTrue(plaintextJson.contains(base64));
        assertTrue(forms.encryptPlaintextForms() >= 1);
        ConsentVersionRow sealed = QuarkusTransaction.requiringNew()
                .call(() -> versions.version(d.consentId, 1).orElseThrow());
        assertFalse(sealed.formPending);
        assertFalse(sealed.json.contains(base64));
        assertNotNull(sealed.sourceForm);
        assertArrayEquals(form, formRead(d.consentId));

        // A sealed form moved to another Consent version does not decrypt: an alert, not the form.
        Uploaded other = upload();
        QuarkusTransaction.requiringNew().run(() -> {
            ConsentVersionRow target = versions.version(other.consentId, 1).orElseThrow();
            target.sourceForm = versions.version(d.consentId, 1).orElseThrow().sourceForm;
        });
        Response refused = fhir(OFFICER).get("/fhir/Consent/" + other.consentId);
        assertEquals(500, refused.statusCode(), refused.asString());
        assertFalse(refused.asString().contains(base64));
        var alerts = records(AuditAction.SECURITY_ALERT).stream()
                .filter(r -> r.entities().stream().anyMatch(en -> en.contains("Consent/" + other.consentId)))
                .toList();
        assertEquals(1, alerts.size(), alerts.toString());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static io.restassured.specification.RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user));
    }

    private static io.restassured.specification.RequestSpecification fhir(String user) {
        return as(user).contentType("application/fhir+json").accept("application/fhir+json");
    }

    private static Response rendered(Uploaded photo) {
        return as(PLASTICS).get("/api/v1/photos/" + photo.id + "/rendered");
    }

    private static byte[] formRead(String consentId) {
        Response read = fhir(OFFICER).get("/fhir/Consent/" + consentId);
        assertEquals(200, read.statusCode(), read.asString());
        Consent consent = FhirContexts.r4().newJsonParser().parseResource(Consent.class, read.asString());
        assertTrue(consent.getSourceAttachment().hasData(), "the compliance officer receives the form");
        return consent.getSourceAttachment().getData();
    }

    /** A patient with consent (and a signed form), and one photo of theirs stored at every destination. */
    private Uploaded upload() {
        return upload(TestImages.jpeg(TestImages.scene()));
    }

    /** A JPEG of noise: it barely compresses, so its copy spans several encrypted segments. */
    private static byte[] noise(int width, int height) {
        var image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var random = new java.util.Random(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return TestImages.jpeg(image);
    }

    private Uploaded upload(byte[] jpeg) {
        String mrn = "MRN-KEYS-" + UUID.randomUUID();
        Consent consent = ConsentFixtures.withSignedForm(ConsentFixtures.teachingButNoMarketing(mrn),
                ConsentFixtures.signedFormBytes());
        Response created = fhir(PLASTICS).body(FhirContexts.r4().newJsonParser().encodeResourceToString(consent))
                .post("/fhir/Consent");
        assertEquals(201, created.statusCode(), created.asString());
        String consentId = FhirContexts.r4().newJsonParser().parseResource(Consent.class, created.asString())
                .getIdElement().getIdPart();
        String metadata = """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-KEYS"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008"}, "laterality": "L"}"""
                .formatted(ConsentFixtures.PATIENT_SYSTEM, mrn);
        Response accepted = as(PLASTICS).multiPart("file", "p.jpg", jpeg, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        assertEquals(202, accepted.statusCode(), accepted.asString());
        String id = accepted.path("id");
        awaitJson(() -> as(PLASTICS).get("/api/v1/photos/" + id), json -> "STORED".equals(json.get("status")));
        return new Uploaded(id, mrn, accepted.path("sopInstanceUid"), consentId);
    }

    private String blobKey(Uploaded photo) {
        return photos.find(photo.uuid()).orElseThrow().blobKey;
    }

    private Path blobFile(Uploaded photo) {
        return config.directory().toAbsolutePath().resolve(blobKey(photo) + ".pbe");
    }

    private void swap(Uploaded a, Uploaded b) throws IOException {
        Path fa = blobFile(a);
        Path fb = blobFile(b);
        Path tmp = fa.resolveSibling("swap-" + UUID.randomUUID());
        Files.move(fa, tmp);
        Files.move(fb, fa);
        Files.move(tmp, fb);
    }

    /** Rewrites a photo's blob as the store wrote it before per-photo keys: format 1, under the retired key. */
    private void toFormatOneUnderThePreviousKey(Uploaded photo) throws IOException {
        var plain = new ByteArrayOutputStream();
        store.decryptTo(blobKey(photo), BlobContexts.photo(photo.uuid()), plain);
        Path file = blobFile(photo);
        try (OutputStream out = Files.newOutputStream(file);
                OutputStream sealing = SegmentedGcm.encryptingLegacy(Profile.PREVIOUS_KEY, out)) {
            sealing.write(plain.toByteArray());
        }
    }

    private static PhotoRecord copyWithoutLocalBytes(PhotoRecord row) {
        var copy = new PhotoRecord();
        copy.id = row.id;
        copy.studyId = row.studyId;
        copy.seriesId = row.seriesId;
        copy.sopClassUid = row.sopClassUid;
        copy.sopInstanceUid = row.sopInstanceUid;
        copy.blobKey = null;
        return copy;
    }

    private List<AuditRecord> records(AuditAction action) {
        return audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), DateRange.ANY,
                Set.of(action)), 0, 500).items();
    }

    /** The newest security alert naming this SOP Instance UID. */
    private AuditRecord alertAbout(String sop) {
        return records(AuditAction.SECURITY_ALERT).stream()
                .filter(r -> r.entities().contains("urn:dicom:uid:" + sop))
                .max(java.util.Comparator.comparing(AuditRecord::recorded))
                .orElseThrow(() -> new AssertionError("no SECURITY_ALERT names " + sop));
    }

    private static void awaitInOrthanc(String sop) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Orthanc.instancesWithSopUid(sop).isEmpty()) {
            assertTrue(Instant.now().isBefore(deadline), "the photo never reached Orthanc");
            pause();
        }
    }

    private static Map<String, Object> awaitJson(java.util.function.Supplier<Response> call,
            Predicate<Map<String, Object>> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        Map<String, Object> last = null;
        while (Instant.now().isBefore(deadline)) {
            Response r = call.get();
            assertEquals(200, r.statusCode(), r.asString());
            last = r.jsonPath().getMap("$");
            if (done.test(last)) {
                return last;
            }
            pause();
        }
        throw new AssertionError("not reached within 90 s; last: " + last);
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
