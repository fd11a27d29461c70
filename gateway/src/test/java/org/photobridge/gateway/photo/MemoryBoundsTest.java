package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.photo.TestImages.concat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/** Cleaning holds bounded memory: giants and bombs are refused from their headers, the rest waits its turn. */
class MemoryBoundsTest {

    /** What {@code -Xmx1g} with the default heap fraction gives. */
    private static final long ONE_GIG_HEAP_BUDGET = 494L << 20;

    @TempDir
    Path dir;

    @Test
    void rejectsFlat444GiantUnderTenMegabytesBeforeDecodingIt() {
        byte[] giant = FlatJpeg.of(16000, 15600, false, 1);
        assertTrue(giant.length < 10_000_000, "the giant is small on disk: " + giant.length);
        var cleaner = new PhotoCleaner(0.92f, MemoryBudget.of(ONE_GIG_HEAP_BUDGET));

        PhotoRejectedException e = assertThrows(PhotoRejectedException.class,
                () -> cleaner.clean(TestImages.write(dir, "giant.jpg", giant), PhotoLimits.DEFAULT));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
        assertTrue(e.getMessage().contains("MiB for image work"), e.getMessage());
    }

    @Test
    void rejectsRotatedDecompressionBombBeforeDecodingIt() {
        byte[] bomb = FlatJpeg.of(20000, 12000, true, 6);
        var cleaner = new PhotoCleaner(0.92f, MemoryBudget.of(ONE_GIG_HEAP_BUDGET));

        PhotoRejectedException e = assertThrows(PhotoRejectedException.class,
                () -> cleaner.clean(TestImages.write(dir, "bomb.jpg", bomb), PhotoLimits.DEFAULT));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
    }

    @ParameterizedTest
    @CsvSource({
        "8000, 6000, false", // whole MCUs: turned by moving blocks
        "8000, 5992, true", // the bottom edge is half an MCU: decoded, turned and encoded
    })
    void cleans48MegapixelPhotoNeedingRotationWithinTheBudgetOfAOneGigabyteHeap(int width, int height,
            boolean reencoded) {
        byte[] photo = FlatJpeg.of(width, height, true, 6);
        var budget = MemoryBudget.of(ONE_GIG_HEAP_BUDGET);
        var cleaner = new PhotoCleaner(0.92f, budget);

        CleanedPhoto cleaned = cleaner.clean(TestImages.write(dir, "48mp.jpg", photo), PhotoLimits.DEFAULT);

        assertEquals(height, cleaned.columns(), "upright: width and height exchanged");
        assertEquals(width, cleaned.rows());
        assertEquals(reencoded, cleaned.source().reencoded());
        long needed = PhotoCleaner.UPLOAD_COPIES * photo.length + PhotoCleaner.OVERHEAD_BYTES
                + JpegCleaner.memoryNeeded(photo, PhotoLimits.DEFAULT);
        assertTrue(2 * needed <= budget.totalBytes(), "two such photos are cleaned at once on -Xmx1g, each needs "
                + (needed >> 20) + " MiB");
        assertEquals(budget.totalBytes(), budget.availableBytes(), "the reservation was given back");
    }

    @Test
    void rejectsJpegWithThousandsOfProgressiveScans() {
        byte[] progressive = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, true);
        int sos = TestImages.indexOf(progressive, new byte[] {(byte) 0xFF, (byte) 0xDA}, 2);
        int eoi = progressive.length - 2;
        byte[] scans = java.util.Arrays.copyOfRange(progressive, sos, eoi);
        var parts = new ArrayList<byte[]>();
        parts.add(java.util.Arrays.copyOfRange(progressive, 0, sos));
        for (int i = 0; i < 3000 / countScans(progressive); i++) {
            parts.add(scans);
        }
        parts.add(new byte[] {(byte) 0xFF, (byte) 0xD9});
        byte[] manyScans = concat(parts.toArray(byte[][]::new));
        var cleaner = new PhotoCleaner(0.92f, MemoryBudget.of(ONE_GIG_HEAP_BUDGET));

        PhotoRejectedException e = assertThrows(PhotoRejectedException.class,
                () -> cleaner.clean(TestImages.write(dir, "scans.jpg", manyScans), PhotoLimits.DEFAULT));

        assertEquals(Reason.TOO_COMPLEX, e.reason());
        assertEquals("the JPEG file has more than 100 scans; the limit is 100", e.getMessage());
    }

    @Test
    void acceptsProgressiveJpegWithTheUsualScans() {
        byte[] progressive = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, true);
        assertTrue(countScans(progressive) > 1);
        var cleaner = new PhotoCleaner(0.92f, MemoryBudget.of(ONE_GIG_HEAP_BUDGET));

        CleanedPhoto cleaned = cleaner.clean(TestImages.write(dir, "p.jpg", progressive), PhotoLimits.DEFAULT);

        assertEquals(TestImages.W, cleaned.columns());
    }

    @Test
    void shrinkingAReservationGivesBackTheRestAndClosingGivesBackAllOnce() {
        var budget = new MemoryBudget(4 << 20, 0, Duration.ofMinutes(1), Duration.ofSeconds(7));
        var held = budget.reserve(3 << 20);
        assertEquals(3 << 20, budget.reservedBytes());

        held.shrinkTo(1 << 20);
        assertEquals(1 << 20, budget.reservedBytes());
        assertEquals(1 << 20, held.bytes());
        held.shrinkTo(2 << 20); // never grows
        assertEquals(1 << 20, budget.reservedBytes());
        try (var other = budget.reserve(3 << 20)) {
            assertEquals(4 << 20, budget.reservedBytes(), "what was given back is usable by other work");
        }

        held.close();
        held.close();
        assertEquals(0, budget.reservedBytes());
        assertEquals(4 << 20, budget.availableBytes());
    }

    @Test
    void growingAReservationTakesWhatIsFreeOrWaitsHoldingNothing() throws Exception {
        var budget = new MemoryBudget(4 << 20, 4, Duration.ofMinutes(5), Duration.ofSeconds(7));
        var held = budget.reserve(1 << 20);
        assertTrue(held.tryGrowTo(3 << 20));
        assertEquals(3 << 20, budget.reservedBytes());
        held.growTo(2 << 20, 0); // never shrinks
        assertEquals(3 << 20, held.bytes());
        assertThrows(IllegalArgumentException.class, () -> held.growTo(5 << 20, 0));

        var other = budget.reserve(1 << 20);
        assertTrue(!held.tryGrowTo(4 << 20), "not free now: nothing changes");
        assertEquals(3 << 20, held.bytes());
        // Two holders that both need more than is left: the one that waits gives back what it holds,
        // so the other can grow and finish (holding while waiting, both would wait for ever).
        var grower = CompletableFuture.runAsync(() -> held.growTo(4 << 20, 1 << 20));
        while (budget.waiting() == 0) {
            Thread.onSpinWait();
        }
        assertEquals(0, held.bytes(), "the waiting reservation holds nothing");
        // The other needs more as well (held while waiting, both would wait for ever): whichever is
        // served first gives its memory back when done, and then the other is served.
        var second = CompletableFuture.runAsync(() -> other.growTo(2 << 20, 0));
        CompletableFuture.anyOf(grower, second).get(5, TimeUnit.MINUTES);
        if (grower.isDone()) {
            assertEquals(4 << 20, held.bytes());
            held.close();
            second.get(5, TimeUnit.MINUTES);
            assertEquals(2 << 20, other.bytes());
        } else {
            assertEquals(2 << 20, other.bytes());
            other.close();
            grower.get(5, TimeUnit.MINUTES);
            assertEquals(4 << 20, held.bytes());
        }
        held.close();
        other.close();
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void growthThatWouldKeepTooMuchOutsideTheBudgetIsBusy() {
        var budget = new MemoryBudget(4 << 20, 4, Duration.ofMinutes(5), Duration.ofSeconds(7));
        try (var full = budget.reserve(3 << 20); var held = budget.reserve(1 << 20)) {
            MemoryBusyException e = assertThrows(MemoryBusyException.class, () -> held.growTo(2 << 20, 2 << 20));
            assertEquals(Duration.ofSeconds(7), e.retryAfter());
            assertEquals(0, budget.waiting(), "refused at once: 2 MiB kept outside is over a quarter of 4 MiB");
        }
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void refusesAtOnceWhenTheQueueIsFull() {
        var budget = new MemoryBudget(1 << 20, 0, Duration.ofMinutes(1), Duration.ofSeconds(7));
        try (var held = budget.reserve(1 << 20)) {
            MemoryBusyException e = assertThrows(MemoryBusyException.class, () -> budget.reserve(1024));
            assertEquals(Duration.ofSeconds(7), e.retryAfter());
        }
        budget.reserve(1024).close();
    }

    @Test
    void refusesWhenTheWaitIsOver() {
        var budget = new MemoryBudget(1 << 20, 4, Duration.ZERO, Duration.ofSeconds(7));
        try (var held = budget.reserve(1 << 20)) {
            assertThrows(MemoryBusyException.class, () -> budget.reserve(1024));
            assertEquals(0, budget.waiting());
        }
    }

    @Test
    void waitingWorkGetsTheMemoryWhenItIsGivenBack() throws Exception {
        var budget = new MemoryBudget(1 << 20, 4, Duration.ofMinutes(5), Duration.ofSeconds(7));
        var held = budget.reserve(1 << 20);
        var waiter = CompletableFuture.supplyAsync(() -> budget.reserve(512 * 1024));
        while (budget.waiting() == 0) {
            Thread.onSpinWait();
        }
        held.close();
        try (var granted = waiter.get(5, TimeUnit.MINUTES)) {
            assertEquals(512 * 1024, granted.bytes());
        }
        assertEquals(1 << 20, budget.availableBytes());
    }

    @Test
    void workThatCouldNeverFitIsNotQueued() {
        var budget = MemoryBudget.of(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> budget.reserve(2 << 20));
        assertEquals(0, budget.waiting());
    }

    private static int countScans(byte[] jpeg) {
        return TestImages.count(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDA});
    }
}
