package org.photobridge.gateway.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.outbox.IntakePriority.Turn;

/**
 * The rules of {@link IntakePriority} on a clock the test moves by hand: deliveries wait while uploads
 * are in flight, but never longer than {@code max-delay} after they were first left for later.
 */
class IntakePriorityRulesTest {
    private static final Duration MAX_DELAY = Duration.ofSeconds(2);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger wakes = new AtomicInteger();

    private IntakePriority priority(boolean enabled) {
        var priority = new IntakePriority(enabled, MAX_DELAY, nanos::get);
        priority.whenIdle(wakes::incrementAndGet);
        return priority;
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void withoutUploadsInFlightEveryTurnTakesAllWork() {
        var priority = priority(true);
        assertEquals(Turn.ALL, priority.turn());
        priority.uploadArrived();
        priority.uploadEnded();
        assertEquals(Turn.ALL, priority.turn());
        assertFalse(priority.yielding());
    }

    @Test
    void whileAnUploadIsInFlightDeliveriesWaitAtMostMaxDelayAfterTheyWereFirstLeft() {
        var priority = priority(true);
        priority.uploadArrived();
        assertTrue(priority.yielding());
        assertEquals(Turn.NONE_YIELDING, priority.turn(), "nothing has waited yet");
        priority.deferred();
        assertEquals(MAX_DELAY, priority.untilTurn());
        advance(MAX_DELAY.minusMillis(1));
        priority.deferred(); // waiting longer does not move the clock back
        assertEquals(Turn.NONE_YIELDING, priority.turn());
        assertEquals(Duration.ofMillis(1), priority.untilTurn());
        advance(Duration.ofMillis(1));
        assertEquals(Turn.ONE_YIELDING, priority.turn(), "a delivery's turn at the bound");
        assertEquals(Turn.NONE_YIELDING, priority.turn(), "one turn, to one worker");

        // The uploads keep coming: the next delivery waits from when one was next left for later.
        advance(Duration.ofMillis(300));
        priority.deferred();
        advance(MAX_DELAY.minusMillis(1));
        assertEquals(Turn.NONE_YIELDING, priority.turn());
        advance(Duration.ofMillis(1));
        assertEquals(Turn.ONE_YIELDING, priority.turn());
        var snapshot = priority.snapshot();
        assertEquals(3, snapshot.deferrals());
        assertEquals(2, snapshot.turnsAtMaxDelay());
        assertEquals(1, snapshot.uploadsInFlight());
    }

    @Test
    void theLastUploadEndingWakesTheWorkersWhenDeliveriesWaited() {
        var priority = priority(true);
        priority.uploadArrived();
        priority.uploadArrived();
        priority.uploadEnded();
        assertEquals(0, wakes.get(), "nothing waited");
        priority.deferred();
        priority.uploadEnded();
        assertEquals(1, wakes.get(), "the last upload's end wakes the workers once");
        assertEquals(Turn.ALL, priority.turn());

        // A new busy stretch starts afresh: its deliveries wait the whole bound again.
        priority.uploadArrived();
        assertEquals(Turn.NONE_YIELDING, priority.turn());
        priority.deferred();
        advance(MAX_DELAY.minusMillis(1));
        assertEquals(Turn.NONE_YIELDING, priority.turn());
        priority.uploadEnded();
        assertEquals(2, wakes.get());
    }

    @Test
    void deliveriesAreHeldBackFromTheFirstDeferralUntilATurnOrTheEndOfTheUploads() {
        var priority = priority(true);
        priority.uploadArrived();
        assertFalse(priority.holdingBack(), "uploads in flight, but nothing left for later yet");
        priority.deferred();
        assertTrue(priority.holdingBack());
        advance(MAX_DELAY);
        assertTrue(priority.holdingBack(), "still held back until a worker takes the turn");
        assertEquals(Turn.ONE_YIELDING, priority.turn());
        assertFalse(priority.holdingBack(), "the turn ends it: the next pass looks again");
        priority.deferred();
        assertTrue(priority.holdingBack());
        priority.uploadEnded();
        assertFalse(priority.holdingBack(), "no upload in flight");
        assertEquals(1, wakes.get());

        var off = priority(false);
        off.uploadArrived();
        off.deferred();
        assertFalse(off.holdingBack(), "switched off, nothing is held back");
    }

    @Test
    void switchedOffNothingYieldsButUploadsAreStillCounted() {
        var priority = priority(false);
        priority.uploadArrived();
        assertFalse(priority.yielding());
        assertEquals(Turn.ALL, priority.turn());
        assertEquals(1, priority.snapshot().uploadsInFlight());
        assertFalse(priority.snapshot().enabled());
        priority.uploadEnded();
        assertEquals(0, priority.uploadsInFlight());
    }
}
