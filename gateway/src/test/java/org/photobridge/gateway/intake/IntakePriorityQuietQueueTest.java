package org.photobridge.gateway.intake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.outbox.IntakePriority;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.ReceiversProfile;
import org.photobridge.gateway.testing.TestDatabase;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * While deliveries are held back for an upload in flight (issue 10), photos accepted meanwhile wake
 * no worker to look at the queue: PostgreSQL's own count of scans of {@code work_item} stays where it
 * was through four accepts, which before cost two queries each (a claim and a look for held-back
 * deliveries). The held-back deliveries still all go when the upload ends, counted at the receivers.
 * The bound and the timed poll are set out of reach here, so the only scans are those a wake-up causes.
 */
@QuarkusTest
@TestProfile(IntakePriorityQuietQueueTest.Quiet.class)
@QuarkusTestResource(TestStack.class)
class IntakePriorityQuietQueueTest {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final Duration STANDING_STILL = Duration.ofSeconds(11);

    /** Two counted receivers; no delivery at the bound, no timed poll and no read time-out within the test. */
    public static class Quiet extends ReceiversProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var config = new HashMap<>(super.getConfigOverrides());
            config.put("photobridge.routing.intake-priority.max-delay", "10m");
            config.put("photobridge.routing.poll-interval", "10m");
            // The held upload sends nothing for longer than the default 60 s may allow on a slow machine.
            config.put("quarkus.http.read-timeout", "10m");
            return config;
        }
    }

    @Inject
    IntakePriority priority;

    @Test
    void photosAcceptedWhileDeliveriesAreHeldBackWakeNoWorkerAndAllGoWhenTheUploadEnds() throws Exception {
        await("no upload in flight").atMost(SETTLE).until(() -> priority.uploadsInFlight() == 0);
        List<String> sops = new ArrayList<>();
        long scansWhileHeld;
        long scansAfterFour;
        try (HeldUpload held = HeldUpload.start(PLASTICS)) {
            await("the held upload in flight").atMost(SETTLE).until(() -> priority.uploadsInFlight() == 1);
            long deferralsBefore = priority.snapshot().deferrals();
            sops.add(upload());
            await("a worker left the first photo's deliveries for later").atMost(SETTLE)
                    .until(() -> priority.snapshot().deferrals() > deferralsBefore);
            assertTrue(priority.holdingBack());
            scansWhileHeld = settledScansOfWorkItems();
            for (int i = 0; i < 4; i++) {
                sops.add(upload());
            }
            scansAfterFour = settledScansOfWorkItems();
            assertEquals(scansWhileHeld, scansAfterFour,
                    "PostgreSQL scanned work_item while four photos were accepted with deliveries held back");
            for (String sop : sops) {
                assertEquals(0, Receivers.scp().receivedCount(sop), "held back, not sent: " + sop);
                assertEquals(0, Receivers.stow().receivedCount(sop), "held back, not sent: " + sop);
            }
            assertEquals(1, priority.uploadsInFlight(), "the held upload was in flight all along");
        }
        for (String sop : sops) {
            Receivers.scp().awaitReceived(sop, SETTLE);
            Receivers.stow().awaitReceived(sop, SETTLE);
            assertEquals(1, Receivers.scp().receivedCount(sop), sop);
            assertEquals(1, Receivers.stow().receivedCount(sop), sop);
        }
        // The count moves when workers do look: what stayed put above was not a count that never moves.
        await("PostgreSQL counts the workers' claims after the upload ended").atMost(SETTLE)
                .until(() -> scansOfWorkItems() > scansAfterFour);
    }

    private static String upload() {
        var accepted = Uploads.upload(PLASTICS, TestImages.jpeg(TestImages.scene()), "p.jpg",
                Uploads.metadata("MRN-" + UUID.randomUUID(), "ENC-QUIET"));
        accepted.then().statusCode(202);
        return accepted.path("sopInstanceUid");
    }

    /**
     * Sequential and index scans of {@code work_item} as PostgreSQL counts them, once the count has
     * stood still for eleven seconds: an idle server process that reported its counts less than a
     * second before holds new ones back for up to ten ({@code PGSTAT_IDLE_INTERVAL} of PostgreSQL 15).
     */
    private static long settledScansOfWorkItems() {
        long[] last = {-1};
        long[] since = {System.nanoTime()};
        await("PostgreSQL's scan count of work_item settles").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    long now = scansOfWorkItems();
                    if (now != last[0]) {
                        last[0] = now;
                        since[0] = System.nanoTime();
                        return false;
                    }
                    return System.nanoTime() - since[0] >= STANDING_STILL.toNanos();
                });
        return last[0];
    }

    private static long scansOfWorkItems() throws SQLException {
        try (var connection = DriverManager.getConnection(TestDatabase.JDBC_URL, "photobridge", "");
                var query = connection.prepareStatement("""
                        select coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
                        from pg_stat_user_tables where relname = 'work_item'""");
                var rows = query.executeQuery()) {
            assertTrue(rows.next(), "work_item is in pg_stat_user_tables");
            return rows.getLong(1);
        }
    }
}
