package org.photobridge.gateway.faults;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.ehrtest.EhrTestServer;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.RecordingScp;
import org.photobridge.gateway.testing.RecordingStowRs;

import io.restassured.response.Response;

/**
 * Three gateways on one PostgreSQL database, laid out as {@code deploy/local/stack.sh --replicas 3}
 * does: distinct ports, instance ids and data directories; one shared photo store, storage key and
 * audit key. Photos are uploaded round-robin over the three at concurrency 16; mid-run replica 1 is
 * SIGKILLed and, later, replica 2 stopped gracefully. Every photo answered 202 must reach each
 * receiver (counted per SOP Instance UID there); then the clinical-care consent of a few patients is
 * given and withdrawn, and each withdrawn photo gets exactly one rejection note (KO) at each
 * receiver, and each Consent version is published to the EHR stand-in exactly once.
 */
class ScaleOutIT {
    private static final int REPLICAS = 3;
    private static final int PATIENTS = 40;
    private static final String SURGEON = "plastics.surgeon";
    private static final Duration SETTLE = Duration.ofMinutes(6);

    @TempDir
    Path root;

    private final List<GatewayProcess> replicas = new ArrayList<>();
    private RecordingScp scp;
    private RecordingStowRs stow;
    private EhrTestServer ehr;

    @AfterEach
    void tearDown() {
        replicas.forEach(GatewayProcess::close);
        if (scp != null) {
            scp.close();
        }
        if (stow != null) {
            stow.close();
        }
        if (ehr != null) {
            ehr.stop();
        }
    }

    @Test
    void threeReplicasOneKilledOneStoppedEveryPhotoDeliveredAndEveryWithdrawalCarriedOutOnce() throws Exception {
        long started = System.nanoTime();
        int uploads = Campaign.size(200, 1000);
        int withdrawnPatients = Campaign.longRun() ? 5 : 3;
        String run = UUID.randomUUID().toString().substring(0, 8);
        var db = Campaign.Db.tests();
        db.reset();
        scp = new RecordingScp("RECV-DIMSE").start();
        stow = new RecordingStowRs().start();
        stow.requireBasicAuth(Campaign.STOW_USER, Campaign.STOW_PASSWORD);
        ehr = new EhrTestServer().start();
        Path storageKey = GatewayProcess.newStorageKey(root.resolve("storage.key"));
        for (int i = 0; i < REPLICAS; i++) {
            Path data = root.resolve("gateway-" + i);
            Map<String, String> config = GatewayProcess.baseConfig(data, storageKey);
            config.putAll(Campaign.destinations(scp, stow, "reject"));
            config.put("photobridge.routing.instance-id", "scale-gateway-" + i);
            config.put("photobridge.store.directory", root.resolve("store").toString());
            config.put("photobridge.audit.key-file", root.resolve("audit-key/audit-trail.key").toString());
            config.put("photobridge.ehr.url", ehr.baseUrl());
            config.put("photobridge.ehr.timeout", "5s");
            // Keep the bytes after delivery: a rejection note is built from the photo, which the
            // gateway otherwise reads back over WADO-RS, and the recording receivers do not serve it.
            config.put("photobridge.store.retention-after-stored", "P1D");
            replicas.add(new GatewayProcess("replica-" + i, data, GatewayProcess.freePort(), config));
        }
        // Replica 0 first: it migrates the schema and makes the audit key file the others share.
        for (GatewayProcess replica : replicas) {
            replica.start();
        }
        System.out.printf("CAMPAIGN scale-out: %d replicas up after %ds%n", REPLICAS,
                Duration.ofNanos(System.nanoTime() - started).toSeconds());

        var uploader = new Uploader(TestImages.jpeg(TestImages.scene()));
        int killedExit;
        int stoppedExit;
        Duration uploadTime;
        try (var load = new Campaign.Load(uploader, uploads, i -> replicas.get(i % REPLICAS),
                i -> "MRN-SCALE-" + run + "-" + (i % PATIENTS))) {
            load.awaitDone(uploads / 3, SETTLE);
            killedExit = replicas.get(1).kill();
            System.out.printf("CAMPAIGN scale-out: SIGKILLed replica-1 after %d uploads (exit %d)%n", load.done(), killedExit);
            load.awaitDone(uploads / 2, SETTLE);
            int at = load.done();
            stoppedExit = replicas.get(2).stop();
            System.out.printf("CAMPAIGN scale-out: stopped replica-2 gracefully after %d uploads (exit %d)%n", at, stoppedExit);
            uploadTime = load.finish(SETTLE);
        }
        List<Uploader.Accepted> accepted = uploader.acceptedList();
        Set<String> sops = accepted.stream().map(Uploader.Accepted::sopInstanceUid).collect(Collectors.toSet());
        assertEquals(accepted.size(), sops.size(), "one SOP Instance per accepted photo");

        await("every accepted photo at both receivers").atMost(SETTLE).pollInterval(Duration.ofSeconds(2))
                .until(() -> Campaign.missing(scp.receivedCounts(), sops).isEmpty()
                        && Campaign.missing(stow.receivedCounts(), sops).isEmpty());
        await("no PACS delivery pending").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .until(() -> db.pendingWork("PACS_DELIVERY") == 0);
        Map<String, Long> dimse = scp.receivedCounts();
        Map<String, Long> web = stow.receivedCounts();
        long photosInDb = db.count("select count(*) from photo");
        long dupDimse = Campaign.duplicates(dimse, sops);
        long dupStow = Campaign.duplicates(web, sops);
        System.out.printf("CAMPAIGN scale-out uploads=%d accepted=%d refused-while-down=%d broken-at-kill=%d http-errors=%s"
                + " photos-in-db=%d delivered(dimse)=%d delivered(stow)=%d duplicates(dimse)=%d duplicates(stow)=%d"
                + " killed-exit=%d stopped-exit=%d upload-time=%ds work=%s%n",
                uploads, accepted.size(), uploader.refused.get(), uploader.broken.get(), uploader.httpErrors,
                photosInDb, sops.size() - Campaign.missing(dimse, sops).size(),
                sops.size() - Campaign.missing(web, sops).size(), dupDimse, dupStow, killedExit, stoppedExit,
                uploadTime.toSeconds(), db.workByKindAndStatus());
        if (dupDimse + dupStow > 0) {
            System.out.println("CAMPAIGN scale-out duplicated (dimse): " + Campaign.duplicated(dimse, sops));
            System.out.println("CAMPAIGN scale-out duplicated (stow): " + Campaign.duplicated(web, sops));
        }
        uploader.errorSamples.forEach(e -> System.out.println("CAMPAIGN scale-out client error: " + e));
        assertEquals(0, uploader.httpErrorCount(), "no upload answered with an error: " + uploader.errorSamples);
        assertTrue(uploader.refused.get() > 0, "uploads went to the dead replicas and were refused");
        // Only replica-1's SIGKILL can make a second copy: at most what its workers had in hand
        // (2 workers x batch 20) per destination; a graceful stop makes none.
        assertTrue(dupDimse <= 40 && dupStow <= 40, "duplicates within the kill's confirmation window");
        assertTrue(photosInDb >= accepted.size() && photosInDb <= accepted.size() + uploader.broken.get(),
                "photos in the database: the accepted ones, and at most the uploads cut off by the kill");

        // Every photo in the database, the accepted ones and any an upload cut off by the kill committed.
        withdrawConsents(db, run, withdrawnPatients, new HashSet<>(db.strings("select sop_instance_uid from photo")));
        System.out.printf("CAMPAIGN scale-out took=%ds%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    /** Consent given then withdrawn for {@code patients} patients, through the one replica left. */
    private void withdrawConsents(Campaign.Db db, String run, int patients, Set<String> photoSops) {
        GatewayProcess live = replicas.get(0);
        String token = Keycloak.token(SURGEON);
        var parser = FhirContexts.r4().newJsonParser();
        long koBefore = koCount(scp.receivedCounts(), photoSops) + koCount(stow.receivedCounts(), photoSops);
        assertEquals(0, koBefore, "no rejection notes yet");
        List<String> consentIds = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            String mrn = "MRN-SCALE-" + run + "-" + p;
            Response created = given().baseUri(live.baseUrl()).auth().oauth2(token)
                    .contentType("application/fhir+json").accept("application/fhir+json")
                    .body(parser.encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn))).post("/fhir/Consent");
            created.then().statusCode(201);
            String location = created.header("Location");
            String id = location.substring(location.indexOf("/Consent/") + "/Consent/".length()).split("/")[0];
            consentIds.add(id);
            // Version 1 reaches the EHR before version 2 is made, so each version is a publication of its own.
            await("consent " + id + " v1 in the EHR").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> ehr.consents().stream().anyMatch(c -> mrn.equals(c.getPatient().getIdentifier().getValue())));
            Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
            withdrawn.setStatus(Consent.ConsentState.INACTIVE);
            withdrawn.setId(id);
            given().baseUri(live.baseUrl()).auth().oauth2(token).contentType("application/fhir+json")
                    .accept("application/fhir+json").body(parser.encodeResourceToString(withdrawn))
                    .put("/fhir/Consent/" + id).then().statusCode(200);
        }
        String mrnPrefix = "MRN-SCALE-" + run + "-";
        String mrnList = java.util.stream.IntStream.range(0, patients).mapToObj(p -> "'" + mrnPrefix + p + "'")
                .collect(Collectors.joining(","));
        await("withdrawal actions and publications carried out").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .until(() -> db.pendingWork("PACS_WITHDRAWAL", "EHR_PUBLICATION") == 0);
        long withdrawnPhotos = db.count("select count(*) from photo p join encounter_study s on p.study_id = s.id"
                + " where p.withdrawn_at is not null and s.patient_value in (" + mrnList + ")");
        long otherWithdrawn = db.count("select count(*) from photo where withdrawn_at is not null") - withdrawnPhotos;
        Set<String> notes = new HashSet<>(db.strings("select note_sop_uid from work_item where kind = 'PACS_WITHDRAWAL'"
                + " and action = 'reject' and status = 'DONE' and note_sop_uid is not null"));
        Map<String, Long> dimse = scp.receivedCounts();
        Map<String, Long> web = stow.receivedCounts();
        Map<String, Long> dimseKo = only(dimse, photoSops);
        Map<String, Long> webKo = only(web, photoSops);
        long consentWrites = ehr.requests().stream().filter(r -> "Consent".equals(r.resourceType())
                && ("PUT".equals(r.method()) || "POST".equals(r.method()))).count();
        Map<String, Long> ehrOps = ehr.requests().stream()
                .collect(Collectors.groupingBy(r -> r.method() + " " + r.resourceType(), TreeMap::new, Collectors.counting()));
        System.out.printf("CAMPAIGN scale-out withdrawal patients=%d withdrawn-photos=%d withdrawn-other=%d"
                + " notes-queued=%d ko(dimse)=%d ko(stow)=%d ko-duplicates(dimse)=%d ko-duplicates(stow)=%d"
                + " consent-versions=%d consent-writes-at-ehr=%d ehr-consents=%d ehr-requests=%s work=%s%n",
                patients, withdrawnPhotos, otherWithdrawn, notes.size(), dimseKo.size(), webKo.size(),
                dimseKo.values().stream().mapToLong(n -> n - 1).sum(), webKo.values().stream().mapToLong(n -> n - 1).sum(),
                2 * patients, consentWrites, ehr.consents().size(), ehrOps, db.workByKindAndStatus());
        assertTrue(withdrawnPhotos > 0, "the withdrawn patients had photos");
        assertEquals(0, otherWithdrawn, "no other patient's photo withdrawn");
        assertEquals(2 * withdrawnPhotos, notes.size(), "one rejection note per withdrawn photo and destination");
        assertEquals(notes, union(dimseKo.keySet(), webKo.keySet()), "the notes that reached the receivers are the queued ones");
        assertEquals(withdrawnPhotos, dimseKo.size(), "one KO per withdrawn photo at the C-STORE receiver");
        assertEquals(withdrawnPhotos, webKo.size(), "one KO per withdrawn photo at the STOW-RS receiver");
        assertTrue(dimseKo.values().stream().allMatch(n -> n == 1), "each KO once at the C-STORE receiver: " + dimseKo);
        assertTrue(webKo.values().stream().allMatch(n -> n == 1), "each KO once at the STOW-RS receiver: " + webKo);
        assertEquals(2L * patients, consentWrites, "each Consent version written to the EHR exactly once: " + ehrOps);
        assertEquals(patients, ehr.consents().size());
        assertTrue(ehr.consents().stream().allMatch(c -> c.getStatus() == Consent.ConsentState.INACTIVE));
    }

    private static long koCount(Map<String, Long> counts, Set<String> photoSops) {
        return only(counts, photoSops).size();
    }

    /** What the receiver holds besides the photos: rejection notes. */
    private static Map<String, Long> only(Map<String, Long> counts, Set<String> photoSops) {
        Map<String, Long> rest = new TreeMap<>(counts);
        rest.keySet().removeAll(photoSops);
        return rest;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
