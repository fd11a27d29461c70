package org.photobridge.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicom.RejectionNote;
import org.photobridge.gateway.dicom.RejectionNoteWriter;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.pacs.DimseDestination;
import org.photobridge.gateway.pacs.DimseSettings;
import org.photobridge.gateway.pacs.OrthancRestSettings;
import org.photobridge.gateway.pacs.OrthancTestPeer;
import org.photobridge.gateway.pacs.PacsOutcome;
import org.photobridge.gateway.pacs.StowRsDestination;
import org.photobridge.gateway.pacs.StowRsSettings;

/** Withdrawal actions against the real test Orthanc. */
class PacsWithdrawalTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final UidGenerator uids = new UidGenerator(Optional.empty());

    private static DimseDestination dimse(OrthancTestPeer peer) {
        return new DimseDestination(new DimseSettings("pacs-test", peer.host(), peer.dicomPort(), peer.aeTitle(),
                peer.callingAeTitle(), TIMEOUT, TIMEOUT));
    }

    private static StowRsDestination stow(OrthancTestPeer peer) {
        return new StowRsDestination(new StowRsSettings("pacs-web", peer.dicomWebBase(), peer.credentials(), TIMEOUT));
    }

    private static InstanceRef ref(OrthancTestPeer.TestObject photo) {
        return new InstanceRef(photo.studyUid(), photo.seriesUid(), photo.sopClassUid(), photo.sopInstanceUid());
    }

    /** A photo stored in Orthanc by C-STORE, as a delivered photo would be. */
    private OrthancTestPeer.TestObject storedPhoto(OrthancTestPeer peer) throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp, "PatientName=Withdrawn^Wanda", "PatientID=PB-WD-1");
        PacsOutcome stored = dimse(peer).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, stored, stored.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent());
        return photo;
    }

    private Path rejectionNote(OrthancTestPeer.TestObject photo, RejectionNote[] out) throws Exception {
        AttributeList source = DicomTags.read(photo.file());
        RejectionNote note = RejectionNote.of(source, List.of(ref(photo)), RejectionNoteWriter.CONSENT_WITHDRAWN,
                Optional.of("Patient withdrew consent"), uids, Instant.now());
        Path file = tmp.resolve(note.sopInstanceUid() + ".dcm");
        new RejectionNoteWriter().write(note, file);
        out[0] = note;
        return file;
    }

    // ---------------------------------------------------------------- reject

    @Test
    void rejectStoresTheRejectionNoteInThePhotosStudyByDimse() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = storedPhoto(peer);
        var note = new RejectionNote[1];
        Path kos = rejectionNote(photo, note);
        var withdrawal = new PacsWithdrawal(dimse(peer), new WithdrawalAction.Reject());

        WorkOutcome outcome = withdrawal.withdraw(List.of(ref(photo)), kos);

        assertInstanceOf(WorkOutcome.Done.class, outcome, outcome.message());
        assertTrue(withdrawal.needsRejectionNote());
        assertKosInOrthancReferences(peer, photo, note[0].sopInstanceUid());
        // Orthanc 1.10 knows nothing of IOCM: the rejected photo stays visible. Expected; use delete for Orthanc.
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "Orthanc does not hide rejected instances");

        WorkOutcome again = withdrawal.withdraw(List.of(ref(photo)), kos);
        assertInstanceOf(WorkOutcome.Done.class, again, "resending the same note is harmless: " + again.message());
    }

    @Test
    void rejectStoresTheRejectionNoteByStowRs() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = storedPhoto(peer);
        var note = new RejectionNote[1];
        Path kos = rejectionNote(photo, note);

        WorkOutcome outcome = new PacsWithdrawal(stow(peer), new WithdrawalAction.Reject())
                .withdraw(List.of(ref(photo)), kos);

        assertInstanceOf(WorkOutcome.Done.class, outcome, outcome.message());
        assertKosInOrthancReferences(peer, photo, note[0].sopInstanceUid());
    }

    @Test
    void rejectWithoutANoteOrWithANoteForOtherInstancesIsFailed() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);
        var other = OrthancTestPeer.makePhoto(tmp);
        Path otherNote = rejectionNote(other, new RejectionNote[1]);
        var withdrawal = new PacsWithdrawal(dimse(peer), new WithdrawalAction.Reject());

        WorkOutcome missing = withdrawal.withdraw(List.of(ref(photo)), null);
        WorkOutcome wrong = withdrawal.withdraw(List.of(ref(photo)), otherNote);

        assertInstanceOf(WorkOutcome.Failed.class, missing, missing.message());
        assertInstanceOf(WorkOutcome.Failed.class, wrong, wrong.message());
        assertTrue(wrong.message().contains(photo.sopInstanceUid()), wrong.message());
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesTheInstanceFromOrthancAndDeletingAgainIsStillDone() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = storedPhoto(peer);
        var withdrawal = new PacsWithdrawal(dimse(peer), new WithdrawalAction.Delete(
                new OrthancRestSettings("pacs-test", peer.httpBase(), peer.credentials(), TIMEOUT)));

        WorkOutcome outcome = withdrawal.withdraw(List.of(ref(photo)), null);

        assertInstanceOf(WorkOutcome.Done.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("1 instance(s) deleted"), outcome.message());
        assertEquals(Optional.empty(), peer.instanceId(photo.sopInstanceUid()), "gone from Orthanc");
        assertEquals(404, peer.get("/dicom-web/studies/" + photo.studyUid() + "/series/" + photo.seriesUid()
                + "/instances/" + photo.sopInstanceUid() + "/metadata").statusCode());

        WorkOutcome again = withdrawal.withdraw(List.of(ref(photo)), null);
        assertInstanceOf(WorkOutcome.Done.class, again, again.message());
        assertTrue(again.message().contains("1 already absent"), again.message());
    }

    @Test
    void deleteWhenOrthancIsDownIsRetry() throws Exception {
        int closed = OrthancTestPeer.unusedPort();
        var withdrawal = new PacsWithdrawal(new StowRsDestination(new StowRsSettings("down",
                URI.create("http://127.0.0.1:" + closed + "/dicom-web"), TIMEOUT)), new WithdrawalAction.Delete(
                new OrthancRestSettings("down", URI.create("http://127.0.0.1:" + closed), TIMEOUT)));
        var photo = OrthancTestPeer.makePhoto(tmp);

        WorkOutcome outcome = withdrawal.withdraw(List.of(ref(photo)), null);

        assertInstanceOf(WorkOutcome.Retry.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("connection refused"), outcome.message());
    }

    @Test
    void deleteAgainstTheDicomWebRootInsteadOfTheRestRootIsFailed() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = storedPhoto(peer);
        var withdrawal = new PacsWithdrawal(dimse(peer), new WithdrawalAction.Delete(
                new OrthancRestSettings("pacs-test", peer.dicomWebBase(), peer.credentials(), TIMEOUT)));

        WorkOutcome outcome = withdrawal.withdraw(List.of(ref(photo)), null);

        assertInstanceOf(WorkOutcome.Failed.class, outcome, outcome.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "nothing deleted");
    }

    @Test
    void noneLeavesThePacsAlone() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = storedPhoto(peer);

        WorkOutcome outcome = new PacsWithdrawal(dimse(peer), new WithdrawalAction.None())
                .withdraw(List.of(ref(photo)), null);

        assertInstanceOf(WorkOutcome.Done.class, outcome, outcome.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent());
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Finds the KOS among the instances of the photo's study (Orthanc /tools/find by SOP Class UID),
     * downloads it, and checks its evidence names the photo.
     */
    private static void assertKosInOrthancReferences(OrthancTestPeer peer, OrthancTestPeer.TestObject photo,
            String kosUid) throws Exception {
        String query = JSON.writeValueAsString(JSON.createObjectNode()
                .put("Level", "Instance")
                .put("Expand", true)
                .set("Query", JSON.createObjectNode()
                        .put("StudyInstanceUID", photo.studyUid())
                        .put("SOPClassUID", RejectionNoteWriter.KEY_OBJECT_SELECTION_DOCUMENT_STORAGE)));
        var response = peer.send(peer.request("/tools/find")
                .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode hits = JSON.readTree(response.body());
        assertEquals(1, hits.size(), "one KOS in the study: " + response.body());
        JsonNode hit = hits.get(0);
        assertEquals(kosUid, hit.path("MainDicomTags").path("SOPInstanceUID").asText());

        var file = peer.send(peer.request("/instances/" + hit.path("ID").asText() + "/file").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, file.statusCode());
        AttributeList kos = DicomTags.read(new ByteArrayInputStream(file.body()));
        assertEquals(photo.studyUid(), Attribute.getSingleStringValueOrEmptyString(kos, TagFromName.StudyInstanceUID));
        assertEquals("PB-WD-1", Attribute.getSingleStringValueOrEmptyString(kos, TagFromName.PatientID));
        assertEquals(List.of(photo.sopInstanceUid()), evidence(kos));
    }

    private static List<String> evidence(AttributeList kos) {
        List<String> uids = new ArrayList<>();
        var studies = (SequenceAttribute) kos.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        for (int s = 0; s < studies.getNumberOfItems(); s++) {
            var series = (SequenceAttribute) studies.getItem(s).getAttributeList().get(TagFromName.ReferencedSeriesSequence);
            for (int r = 0; r < series.getNumberOfItems(); r++) {
                var sops = (SequenceAttribute) series.getItem(r).getAttributeList().get(TagFromName.ReferencedSOPSequence);
                for (int i = 0; i < sops.getNumberOfItems(); i++) {
                    uids.add(Attribute.getSingleStringValueOrEmptyString(sops.getItem(i).getAttributeList(),
                            TagFromName.ReferencedSOPInstanceUID));
                }
            }
        }
        return uids;
    }
}
