package org.photobridge.gateway.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.RecordingScp;
import org.photobridge.gateway.testing.RecordingStowRs;
import org.photobridge.gateway.testing.TestStackProperties;

/**
 * The fault campaign of issue 7, against packaged gateways run as OS processes, counted at the
 * receivers. Two tests, so one failure does not hide the other:
 * <ul>
 * <li>uploads at concurrency 16 over two gateways while the C-STORE receiver is stopped and started
 * three times and one gateway is SIGKILLed and restarted: every 202 reaches each destination;</li>
 * <li>uploads while the gateway's PostgreSQL (a private cluster of this test) is stopped and started:
 * requests in the outage get 503 with nothing half written, and the gateway recovers by itself.</li>
 * </ul>
 */
class FaultCampaignIT {
    private static final Duration SETTLE = Duration.ofMinutes(6);
    private static final Duration OUTAGE_FELT = Duration.ofSeconds(90);
    private static final Duration PG_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path root;

    private final List<GatewayProcess> gateways = new ArrayList<>();
    private RecordingScp scp;
    private RecordingStowRs stow;
    private Path postgresState;

    @AfterEach
    void tearDown() throws Exception {
        gateways.forEach(GatewayProcess::close);
        if (scp != null) {
            scp.close();
        }
        if (stow != null) {
            stow.close();
        }
        if (postgresState != null) {
            postgres("stop", postgresState.toString());
            deleteTree(postgresState);
        }
    }

    private Map<String, String> gatewayConfig(Path data, Path storageKey, String instance) {
        Map<String, String> config = GatewayProcess.baseConfig(data, storageKey);
        config.putAll(Campaign.destinations(scp, stow, "none"));
        config.put("photobridge.routing.instance-id", instance);
        config.put("photobridge.store.directory", root.resolve("store").toString());
        config.put("photobridge.audit.key-file", root.resolve("audit-key/audit-trail.key").toString());
        return config;
    }

    private void startReceivers() {
        scp = new RecordingScp("RECV-DIMSE").start();
        stow = new RecordingStowRs().start();
        stow.requireBasicAuth(Campaign.STOW_USER, Campaign.STOW_PASSWORD);
    }

    @Test
    void pacsOutagesAndAGatewayKillLoseNothing() throws Exception {
        long started = System.nanoTime();
        int uploads = Campaign.size(300, 2000);
        var db = Campaign.Db.tests();
        db.reset();
        startReceivers();
        Path key = GatewayProcess.newStorageKey(root.resolve("storage.key"));
        for (int i = 0; i < 2; i++) {
            gateways.add(new GatewayProcess("campaign-" + i, root.resolve("gateway-" + i), GatewayProcess.freePort(),
                    gatewayConfig(root.resolve("gateway-" + i), key, "campaign-gateway-" + i)));
        }
        for (GatewayProcess gateway : gateways) {
            gateway.start();
        }
        GatewayProcess victim = gateways.get(1);
        var uploader = new Uploader(TestImages.jpeg(TestImages.scene()));
        String run = UUID.randomUUID().toString().substring(0, 8);
        int scpOutages = 0;
        int killedExit;
        Duration uploadTime;
        try (var load = new Campaign.Load(uploader, uploads, i -> gateways.get(i % 2), i -> "MRN-CAMPAIGN-" + run + "-" + i)) {
            for (int outage = 0; outage < 2; outage++) {
                load.awaitDone(uploads * (1 + 2 * outage) / 10, SETTLE);
                pacsOutage(db, load);
                scpOutages++;
                load.awaitDone(uploads * (2 + 2 * outage) / 10, SETTLE);
                scp.start();
                System.out.printf("CAMPAIGN faults: C-STORE receiver back after %d uploads%n", load.done());
            }
            load.awaitDone(uploads / 2, SETTLE);
            killedExit = victim.kill();
            System.out.printf("CAMPAIGN faults: SIGKILLed %s after %d uploads (exit %d)%n", victim.name(), load.done(), killedExit);
            await("uploads to the dead gateway refused").atMost(OUTAGE_FELT).until(() -> uploader.refused.get() > 0);
            pacsOutage(db, load);
            scpOutages++;
            victim.start();
            System.out.printf("CAMPAIGN faults: %s restarted after %d uploads%n", victim.name(), load.done());
            scp.start();
            uploadTime = load.finish(SETTLE);
        }
        List<Uploader.Accepted> accepted = uploader.acceptedList();
        Set<String> sops = accepted.stream().map(Uploader.Accepted::sopInstanceUid).collect(Collectors.toSet());
        await("every accepted photo at both receivers").atMost(SETTLE).pollInterval(Duration.ofSeconds(2))
                .until(() -> Campaign.missing(scp.receivedCounts(), sops).isEmpty()
                        && Campaign.missing(stow.receivedCounts(), sops).isEmpty());
        await("no PACS delivery pending").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .until(() -> db.pendingWork("PACS_DELIVERY") == 0);
        Map<String, Long> dimse = scp.receivedCounts();
        Map<String, Long> web = stow.receivedCounts();
        long dupDimse = Campaign.duplicates(dimse, sops);
        long dupStow = Campaign.duplicates(web, sops);
        long photosInDb = db.count("select count(*) from photo");
        System.out.printf("CAMPAIGN faults uploads=%d accepted=%d refused-while-down=%d broken-at-kill=%d http-errors=%s"
                + " photos-in-db=%d delivered(dimse)=%d delivered(stow)=%d duplicates(dimse)=%d duplicates(stow)=%d"
                + " pacs-outages=%d gateway-kills=1 killed-exit=%d upload-time=%ds took=%ds work=%s%n",
                uploads, accepted.size(), uploader.refused.get(), uploader.broken.get(), uploader.httpErrors, photosInDb,
                sops.size() - Campaign.missing(dimse, sops).size(), sops.size() - Campaign.missing(web, sops).size(),
                dupDimse, dupStow, scpOutages, killedExit, uploadTime.toSeconds(),
                Duration.ofNanos(System.nanoTime() - started).toSeconds(), db.workByKindAndStatus());
        if (dupDimse + dupStow > 0) {
            System.out.println("CAMPAIGN faults duplicated (dimse): " + Campaign.duplicated(dimse, sops));
            System.out.println("CAMPAIGN faults duplicated (stow): " + Campaign.duplicated(web, sops));
        }
        uploader.errorSamples.forEach(e -> System.out.println("CAMPAIGN faults client error: " + e));
        assertEquals(0, uploader.httpErrorCount(), "no upload answered with an error: " + uploader.errorSamples);
        assertTrue(uploader.refused.get() > 0, "uploads during the gateway's downtime were refused at connect");
        assertTrue(photosInDb >= accepted.size() && photosInDb <= accepted.size() + uploader.broken.get(),
                "photos in the database: the accepted ones, and at most the uploads cut off by the kill");
        // A second copy only where a sender lost the confirmation of a copy the receiver kept: the
        // SIGKILL (at most 2 workers x batch 20 in hand) and, for C-STORE, a receiver killed after
        // writing an object but before answering (at most one per worker of each gateway per outage).
        assertTrue(dupStow <= 40, "STOW-RS duplicates within the kill's window: " + dupStow);
        assertTrue(dupDimse <= 40 + scpOutages * 2 * 2, "C-STORE duplicates within the windows: " + dupDimse);
    }

    /** Stops the C-STORE receiver and waits until a gateway has felt it (a delivery RETRYING). */
    private void pacsOutage(Campaign.Db db, Campaign.Load load) {
        scp.stop();
        System.out.printf("CAMPAIGN faults: C-STORE receiver stopped after %d uploads%n", load.done());
        await("a C-STORE delivery retrying while the receiver is down").atMost(OUTAGE_FELT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> db.count("select count(*) from work_item where kind = 'PACS_DELIVERY' and destination = '"
                        + Receivers.DIMSE + "' and status = 'RETRYING'") > 0);
    }

    @Test
    void postgresRestartDuringUploadsGives503AndNothingHalfWritten() throws Exception {
        long started = System.nanoTime();
        int uploads = Campaign.size(150, 600);
        postgresState = Files.createTempDirectory("pb-faults-postgres-");
        int pgPort = GatewayProcess.freePort();
        postgres("start", String.valueOf(pgPort), postgresState.toString());
        String password = Files.readString(postgresState.resolve("photobridge-password")).trim();
        var db = new Campaign.Db("jdbc:postgresql://127.0.0.1:" + pgPort + "/photobridge", "photobridge", password);
        startReceivers();
        Path key = GatewayProcess.newStorageKey(root.resolve("storage.key"));
        Map<String, String> config = gatewayConfig(root.resolve("gateway-0"), key, "pg-outage-gateway");
        config.put("photobridge.db.url", db.url());
        config.put("photobridge.db.password", password);
        GatewayProcess gateway = new GatewayProcess("pg-outage", root.resolve("gateway-0"), GatewayProcess.freePort(), config);
        gateways.add(gateway);
        gateway.start();

        var uploader = new Uploader(TestImages.jpeg(TestImages.scene()));
        String run = UUID.randomUUID().toString().substring(0, 8);
        Duration uploadTime;
        long outageStarted;
        long outageEnded;
        try (var load = new Campaign.Load(uploader, uploads, i -> gateway, i -> "MRN-PG-" + run + "-" + i)) {
            load.awaitDone(uploads * 3 / 10, SETTLE);
            outageStarted = System.nanoTime();
            postgres("stop", postgresState.toString());
            System.out.printf("CAMPAIGN pg: PostgreSQL stopped after %d uploads%n", load.done());
            await("uploads fail while PostgreSQL is down").atMost(OUTAGE_FELT).pollInterval(Duration.ofMillis(100))
                    .until(() -> uploader.httpErrorCount() + uploader.broken.get() >= 5 || load.done() >= uploads);
            postgres("start", String.valueOf(pgPort), postgresState.toString());
            outageEnded = System.nanoTime();
            System.out.printf("CAMPAIGN pg: PostgreSQL started again after %d uploads (outage %d ms)%n", load.done(),
                    TimeUnit.NANOSECONDS.toMillis(outageEnded - outageStarted));
            uploadTime = load.finish(SETTLE);
        }
        int failedInOutage = uploader.httpErrorCount() + uploader.broken.get();
        // Recovery by itself: a fresh upload is accepted again within a deadline, and so are the next ones.
        await("the gateway accepts uploads again").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> uploader.upload(gateway.name(), gateway.baseUrl(), "MRN-PG-" + run + "-after-"
                        + UUID.randomUUID()) == Uploader.Outcome.ACCEPTED);
        int afterwards = 5;
        for (int i = 0; i < afterwards; i++) {
            assertEquals(Uploader.Outcome.ACCEPTED, uploader.upload(gateway.name(), gateway.baseUrl(),
                    "MRN-PG-" + run + "-later-" + i), "accepted after recovery: " + uploader.errorSamples);
        }

        List<Uploader.Accepted> accepted = uploader.acceptedList();
        Set<String> sops = accepted.stream().map(Uploader.Accepted::sopInstanceUid).collect(Collectors.toSet());
        await("every accepted photo at both receivers").atMost(SETTLE).pollInterval(Duration.ofSeconds(2))
                .until(() -> Campaign.missing(scp.receivedCounts(), sops).isEmpty()
                        && Campaign.missing(stow.receivedCounts(), sops).isEmpty());
        await("no PACS delivery pending and every photo's bytes purged").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .until(() -> db.pendingWork("PACS_DELIVERY") == 0
                        && db.count("select count(*) from photo where purged_at is null and blob_key is not null") == 0);
        Set<String> rows = new TreeSet<>(db.strings("select sop_instance_uid from photo"));
        Set<String> liveBlobKeys = new TreeSet<>(db.strings("select blob_key from photo where blob_key is not null and purged_at is null"));
        Set<String> blobFiles = new TreeSet<>();
        Set<String> incomingFiles = new TreeSet<>();
        try (var files = Files.list(root.resolve("store"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".pbe")) {
                    blobFiles.add(name.substring(0, name.length() - ".pbe".length()));
                } else {
                    incomingFiles.add(name);
                }
            }
        }
        // A client repeats what failed, as the 503 tells it to: the same file for the same encounter is
        // answered 200 with the photo when the first attempt was kept after all (its commit went through
        // although the answer could not be built), or 202 when it was not. Never a second photo.
        Map<Integer, Integer> repeats = new TreeMap<>();
        Set<String> recovered = new TreeSet<>();
        for (String mrn : new ArrayList<>(uploader.failedEncounterByMrn.keySet())) {
            Map.Entry<Integer, String> again = uploader.repeat(gateway.baseUrl(), mrn);
            repeats.merge(again.getKey(), 1, Integer::sum);
            if (again.getKey() == 200 || again.getKey() == 202) {
                recovered.add(again.getValue());
            }
        }
        Set<String> rowsAfterRepeats = new TreeSet<>(db.strings("select sop_instance_uid from photo"));
        Set<String> rowsWithoutAccept = new TreeSet<>(rowsAfterRepeats);
        rowsWithoutAccept.removeAll(sops);
        rowsWithoutAccept.removeAll(recovered);
        Set<String> orphanBlobs = new TreeSet<>(blobFiles);
        orphanBlobs.removeAll(db.strings("select blob_key from photo where blob_key is not null"));
        int answered503 = uploader.httpErrors.getOrDefault(503, new java.util.concurrent.atomic.AtomicInteger()).get();
        System.out.printf("CAMPAIGN pg repeats=%s (200: kept though refused) orphan-blobs-left-for-the-sweep=%d%n",
                repeats, orphanBlobs.size());
        Map<String, Long> dimse = scp.receivedCounts();
        Map<String, Long> web = stow.receivedCounts();
        System.out.printf("CAMPAIGN pg uploads=%d accepted=%d failed-in-outage=%d http-errors=%s broken=%d"
                + " photos-in-db=%d rows-without-202=%d blobs-left=%d live-blob-rows=%d other-store-files=%s"
                + " delivered(dimse)=%d delivered(stow)=%d duplicates(dimse)=%d duplicates(stow)=%d"
                + " outage=%dms upload-time=%ds took=%ds%n",
                uploads + 1 + afterwards, accepted.size(), failedInOutage, uploader.httpErrors, uploader.broken.get(),
                rows.size(), rowsWithoutAccept.size(), blobFiles.size(), liveBlobKeys.size(), incomingFiles,
                sops.size() - Campaign.missing(dimse, sops).size(), sops.size() - Campaign.missing(web, sops).size(),
                Campaign.duplicates(dimse, sops), Campaign.duplicates(web, sops),
                TimeUnit.NANOSECONDS.toMillis(outageEnded - outageStarted), uploadTime.toSeconds(),
                Duration.ofNanos(System.nanoTime() - started).toSeconds());
        uploader.errorSamples.forEach(e -> System.out.println("CAMPAIGN pg client error: " + e));
        // The photos kept although their request was not answered 202: which answer did each get?
        for (String mrn : db.strings("select s.patient_value from photo p join encounter_study s on p.study_id = s.id")) {
            if (uploader.failedByMrn.containsKey(mrn)) {
                System.out.println("CAMPAIGN pg kept although answered " + uploader.failedByMrn.get(mrn) + ": " + mrn);
            }
        }
        gateway.logLinesContaining("ERROR").stream().limit(40)
                .forEach(line -> System.out.println("CAMPAIGN pg gateway log: " + (line.length() > 400 ? line.substring(0, 400) : line)));
        // Every check reported, so that one does not hide the others.
        assertAll(
                () -> assertTrue(failedInOutage > 0, "some uploads met the outage"),
                () -> assertEquals(Set.of(503), new HashSet<>(uploader.httpErrors.keySet()),
                        "uploads in the outage are answered 503 (database unavailable): " + uploader.httpErrors),
                () -> assertTrue(repeats.keySet().stream().allMatch(code -> code == 200 || code == 202),
                        "a repeated upload is answered 200 (kept) or 202 (not kept): " + repeats),
                () -> assertEquals(0, uploader.broken.get(), "no connection broken: the gateway answered every request"),
                () -> assertEquals(Set.of(), rowsWithoutAccept,
                        "every photo row was answered 202, or 200 when the client repeated the upload"),
                () -> assertTrue(rows.containsAll(sops), "a row for every photo answered 202"),
                () -> assertTrue(blobFiles.containsAll(liveBlobKeys), "no row without its blob"),
                () -> assertTrue(orphanBlobs.size() <= answered503, "a blob without its row only where a commit's"
                        + " outcome was unknown (left for the start-up sweep): " + orphanBlobs.size() + " > " + answered503),
                () -> assertEquals(Set.of(), incomingFiles, "no half-written blob left in the store"));
    }

    /** deploy/local/postgres.sh with a deadline (it runs the cluster as OS user postgres when we are root). */
    private static void postgres(String... args) throws IOException, InterruptedException {
        Path script = TestStackProperties.repositoryRoot().resolve("deploy/local/postgres.sh");
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("pb-faults-postgres-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(PG_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("postgres.sh " + String.join(" ", args) + " did not finish within " + PG_TIMEOUT
                        + ":\n" + Files.readString(log));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("postgres.sh " + String.join(" ", args) + " failed (" + process.exitValue()
                        + "):\n" + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
