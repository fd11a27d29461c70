package org.photobridge.gateway.intake;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.nio.file.Path;
import java.nio.file.Files;
import java.io.IOException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.ReceiversProfile;
import org.photobridge.gateway.testing.RecordingScp;
import org.photobridge.gateway.testing.RecordingScp.Mode;
import org.photobridge.gateway.testing.RecordingStowRs;
import org.photobridge.gateway.testing.RecordingStowRs.Fault;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Delivery counted where it lands: each destination has a receiver of its own (a recording storescp
 * for C-STORE, a recording STOW-RS endpoint), and every test counts the copies of each SOP Instance
 * that receiver holds. Before counting, a test waits until the status API says the photo is settled:
 * every delivery STORED (none queued or retrying) and the local bytes purged, so no further send of it
 * can be pending.
 */
@QuarkusTest
@TestProfile(ReceiversProfile.class)
@QuarkusTestResource(TestStack.class)
class ReceiverCountedDeliveryTest {
    private static final int PHOTOS = 8;
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final String DIMSE_THREAD = "photobridge-dimse-" + Receivers.DIMSE;

    private record Sent(String id, String sop) {
    }

    @ConfigProperty(name = "photobridge.data.directory")
    Path dataDirectory;

    private static RecordingScp scp() {
        return Receivers.scp();
    }

    private static RecordingStowRs stow() {
        return Receivers.stow();
    }

    @BeforeEach
    @AfterEach
    void receiversHealthy() {
        if (!scp().isRunning() || scp().mode() != Mode.RECORD) {
            scp().restart();
        }
        stow().reset();
    }

    private static Sent upload(String encounter) {
        Response accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg",
                Uploads.metadata("MRN-" + UUID.randomUUID(), encounter));
        accepted.then().statusCode(202);
        return new Sent(accepted.path("id"), accepted.path("sopInstanceUid"));
    }

    /** Every delivery STORED, nothing queued or retrying, local bytes purged: nothing more will be sent. */
    private static Map<String, Object> awaitSettled(String id) {
        return Uploads.awaitStatus(PLASTICS, id, SETTLE, json -> "STORED".equals(json.get("status"))
                && deliveries(json).stream().allMatch(d -> "STORED".equals(d.get("status")))
                && Boolean.TRUE.equals(json.get("bytesPurged")));
    }

    private static Map<String, Object> awaitDelivery(String id, String destination,
            Predicate<Map<String, Object>> done) {
        return Uploads.awaitStatus(PLASTICS, id, SETTLE, json -> done.test(delivery(json, destination)));
    }

    private static List<Map<String, Object>> deliveries(Map<String, Object> photo) {
        return PhotoUploadToPacsTest.castList(photo.get("deliveries"));
    }

    private static Map<String, Object> delivery(Map<String, Object> photo, String destination) {
        return deliveries(photo).stream().filter(d -> destination.equals(d.get("destination"))).findFirst()
                .orElseThrow(() -> new AssertionError("no delivery to " + destination + " in " + photo));
    }

    private static int attempts(Map<String, Object> delivery) {
        return ((Number) delivery.get("attempts")).intValue();
    }

    private static void assertOneCopyAtEachReceiver(String sop) {
        assertEquals(1, scp().receivedCount(sop), "copies at the C-STORE receiver; it holds " + scp().receivedCounts());
        assertEquals(1, stow().receivedCount(sop), "copies at the STOW-RS receiver; it holds " + stow().receivedCounts());
    }

    private static long dimseSenderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && DIMSE_THREAD.equals(t.getName())).count();
    }

    @Test
    void everyPhotoReachesEachReceiverExactlyOnce() {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < PHOTOS; i++) {
            sent.add(upload("ENC-COUNTED"));
        }
        for (Sent photo : sent) {
            Map<String, Object> settled = awaitSettled(photo.id());
            for (Map<String, Object> delivery : deliveries(settled)) {
                assertEquals(1, attempts(delivery), "one attempt per destination: " + delivery);
            }
        }
        assertEquals(PHOTOS, sent.stream().map(Sent::sop).distinct().count(), "distinct photos, distinct UIDs");
        for (Sent photo : sent) {
            assertOneCopyAtEachReceiver(photo.sop());
        }
    }

    @Test
    void sameFileTwiceIsOnePhotoAndOneCopyAtEachReceiver() {
        byte[] file = TestImages.jpeg(TestImages.grayScene());
        String metadata = Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-TWICE");
        Response first = Uploads.upload(PLASTICS, file, "a.jpg", metadata);
        first.then().statusCode(202);
        String id = first.path("id");
        // Once at once (the first may still be queued), once after it is stored.
        Uploads.upload(PLASTICS, file, "a-again.jpg", metadata).then().statusCode(200).body("id", equalTo(id));
        awaitSettled(id);
        Uploads.upload(PLASTICS, file, "a-later.jpg", metadata).then().statusCode(200).body("id", equalTo(id))
                .body("status", equalTo("STORED"));
        awaitSettled(id);
        assertOneCopyAtEachReceiver(first.path("sopInstanceUid"));
    }

    @Test
    void photoAcceptedWhileTheDimsePacsIsDownArrivesOnceAfterItComesBack() {
        scp().stop();
        Sent photo = upload("ENC-OUTAGE");
        Map<String, Object> waiting = awaitDelivery(photo.id(), Receivers.DIMSE,
                d -> "RETRYING".equals(d.get("status")) && attempts(d) >= 2);
        assertTrue(String.valueOf(delivery(waiting, Receivers.DIMSE).get("lastError")).contains("connection refused"),
                waiting.toString());
        assertEquals("SENDING", waiting.get("status"));
        assertFalse(Boolean.TRUE.equals(waiting.get("bytesPurged")), "bytes kept until every destination has them");
        stow().awaitReceived(photo.sop(), SETTLE);

        scp().restart();
        awaitSettled(photo.id());
        assertOneCopyAtEachReceiver(photo.sop());
    }

    @Test
    void stowServerErrorsAreRetriedAndTheInstanceArrivesOnce() {
        stow().failNext(Fault.SERVER_ERROR, 2);
        Sent photo = upload("ENC-500");
        Map<String, Object> settled = awaitSettled(photo.id());
        assertEquals(3, attempts(delivery(settled, Receivers.STOW)), "two 500s, then stored: " + settled);
        assertEquals(2, stow().faultCount(Fault.SERVER_ERROR));
        assertOneCopyAtEachReceiver(photo.sop());
    }

    @Test
    void stowConflictParksThePhotoAsFailedWithTheReasonUntilAnAdminRetries() {
        stow().conflictFailureReason(0x0122);
        stow().failNext(Fault.CONFLICT, 1);
        Sent photo = upload("ENC-409");
        Map<String, Object> failed = Uploads.awaitStatus(PLASTICS, photo.id(), SETTLE,
                json -> "FAILED".equals(json.get("status")) && "STORED".equals(delivery(json, Receivers.DIMSE).get("status")));
        Map<String, Object> refused = delivery(failed, Receivers.STOW);
        assertEquals("FAILED", refused.get("status"));
        assertEquals(1, attempts(refused), "a refusal is not retried by itself: " + refused);
        String reason = String.valueOf(refused.get("lastError"));
        assertTrue(reason.contains("HTTP 409") && reason.contains("0x0122"), reason);
        assertFalse(Boolean.TRUE.equals(failed.get("bytesPurged")), "bytes kept for the admin's retry");
        assertEquals(0, stow().receivedCount(photo.sop()));
        assertEquals(1, stow().faultCount(Fault.CONFLICT));

        Uploads.as("gateway.admin").post("/api/v1/photos/" + photo.id() + "/retry").then().statusCode(200);
        Map<String, Object> settled = awaitSettled(photo.id());
        assertEquals(1, attempts(delivery(settled, Receivers.DIMSE)), "the stored destination is not resent");
        assertOneCopyAtEachReceiver(photo.sop());
    }

    @Test
    void refusedAssociationParksThePhotoAsFailedUntilAnAdminRetries() {
        scp().restart(Mode.REFUSE);
        Sent photo = upload("ENC-REFUSED");
        Map<String, Object> failed = Uploads.awaitStatus(PLASTICS, photo.id(), SETTLE,
                json -> "FAILED".equals(json.get("status")));
        Map<String, Object> refused = delivery(failed, Receivers.DIMSE);
        assertEquals(1, attempts(refused), refused.toString());
        assertTrue(String.valueOf(refused.get("lastError")).contains("association rejected"), refused.toString());
        stow().awaitReceived(photo.sop(), SETTLE);

        scp().restart();
        Uploads.as("gateway.admin").post("/api/v1/photos/" + photo.id() + "/retry").then().statusCode(200);
        awaitSettled(photo.id());
        assertOneCopyAtEachReceiver(photo.sop());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"FAILURE_STATUS", "ABORT_DURING_STORE", "ABORT_AFTER_STORE"})
    void misbehavingScpIsRetriedAndTheObjectArrivesOnceWhenItHeals(Mode mode) {
        scp().restart(mode);
        Sent photo = upload("ENC-" + mode);
        Map<String, Object> retrying = awaitDelivery(photo.id(), Receivers.DIMSE,
                d -> "RETRYING".equals(d.get("status")) && attempts(d) >= 2);
        String lastError = String.valueOf(delivery(retrying, Receivers.DIMSE).get("lastError"));
        String expected = mode == Mode.FAILURE_STATUS ? "0xA700" : "abort";
        assertTrue(lastError.toLowerCase(java.util.Locale.ROOT).contains(expected.toLowerCase(java.util.Locale.ROOT)),
                mode + ": " + lastError);
        assertEquals(0, scp().receivedCount(photo.sop()), mode + " stores nothing: " + scp().receivedCounts());

        scp().restart();
        awaitSettled(photo.id());
        assertOneCopyAtEachReceiver(photo.sop());
    }

    @Test
    void hangingDimsePeerIsTimedOutRetriedWithoutPilingUpThreadsAndDeliveredOnceItAnswers() {
        scp().restart(Mode.HANG);
        Sent photo = upload("ENC-HANG");
        AtomicLong mostThreads = new AtomicLong();
        Map<String, Object> retrying = awaitDelivery(photo.id(), Receivers.DIMSE, d -> {
            mostThreads.accumulateAndGet(dimseSenderThreads(), Math::max);
            return "RETRYING".equals(d.get("status")) && attempts(d) >= 3;
        });
        String lastError = String.valueOf(delivery(retrying, Receivers.DIMSE).get("lastError"));
        assertNotNull(lastError);
        assertEquals("SENDING", retrying.get("status"), "not stuck: the photo is being retried");
        assertTrue(mostThreads.get() <= 1, "at most one sender thread parked on the hung peer, saw "
                + mostThreads.get() + "; last error: " + lastError);
        assertEquals(0, scp().receivedCount(photo.sop()));

        scp().restart();
        awaitSettled(photo.id());
        assertOneCopyAtEachReceiver(photo.sop());
        await("the parked sender thread ends once the hung peer is gone").atMost(Duration.ofSeconds(30))
                .until(() -> dimseSenderThreads() == 0);
    }

    @Test
    void hangingStowEndpointIsTimedOutRetriedAndTheInstanceArrivesOnceItAnswers() {
        stow().failUntilReset(Fault.HANG);
        Sent photo = upload("ENC-STOW-HANG");
        Map<String, Object> retrying = awaitDelivery(photo.id(), Receivers.STOW,
                d -> "RETRYING".equals(d.get("status")) && attempts(d) >= 2);
        String lastError = String.valueOf(delivery(retrying, Receivers.STOW).get("lastError"));
        assertTrue(lastError.contains("no response within " + Receivers.TIMEOUT_SECONDS + " s"), lastError);
        assertEquals("SENDING", retrying.get("status"));
        scp().awaitReceived(photo.sop(), SETTLE);

        stow().reset();
        awaitSettled(photo.id());
        assertTrue(stow().faultCount(Fault.HANG) >= 2, "each attempt hung: " + stow().posts());
        assertOneCopyAtEachReceiver(photo.sop());
    }

    /**
     * A photo on its way to a PACS is read from the encrypted store as it is sent: while a STOW-RS
     * request hangs mid-send, no file under the gateway's data directory holds the object in
     * plaintext (its SOP Instance UID, which the DICOM header carries, appears in no file).
     */
    @Test
    void whileAPhotoIsBeingSentNoPlaintextCopyOfItIsOnDisk() throws IOException {
        stow().failUntilReset(Fault.HANG);
        Sent photo = upload("ENC-NO-PLAINTEXT");
        await("the STOW-RS request is under way and held").atMost(SETTLE)
                .until(() -> stow().faultCount(Fault.HANG) >= 1);
        byte[] uid = photo.sop().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Path> files;
        try (var walk = Files.walk(dataDirectory)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().anyMatch(f -> f.toString().endsWith(".pbe")), "the encrypted photo is there: " + files);
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            assertFalse(indexOf(bytes, uid) >= 0, "plaintext of the photo in " + dataDirectory.relativize(file));
        }
        stow().reset();
        awaitSettled(photo.id());
        assertOneCopyAtEachReceiver(photo.sop());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The at-least-once window seen from the PACS: it stores the object but confirms after the
     * gateway's time-out, so the gateway cannot know and sends it again. The receiver holds two copies.
     */
    @Test
    void stowConfirmationLaterThanTheTimeoutIsResentAndThePacsHoldsTwoCopies() {
        stow().slowDelay(Duration.ofSeconds(Receivers.TIMEOUT_SECONDS + 3));
        stow().failNext(Fault.SLOW, 1);
        Sent photo = upload("ENC-SLOW");
        Map<String, Object> settled = awaitSettled(photo.id());
        assertEquals(2, attempts(delivery(settled, Receivers.STOW)), settled.toString());
        assertEquals(1, stow().faultCount(Fault.SLOW));
        assertEquals(2, stow().receivedCount(photo.sop()), "stored by the late-confirmed POST and by the resend");
        assertEquals(1, scp().receivedCount(photo.sop()));
    }
}
