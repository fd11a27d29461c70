package org.photobridge.gateway.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The work runner's turns: a wake-up after an enqueue sends one idle worker, not every one, and the
 * timed poll is one worker's per interval, not each worker's (each idle look costs the database a
 * transaction). The clock is the test's; "nobody else went" is checked after giving the other
 * workers time to go, not as a measure of speed.
 */
class WorkerTurnsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final BlockingQueue<WorkerTurns.Turn> turnsTaken = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private WorkerTurns turns;

    @AfterEach
    void stopWorkers() throws InterruptedException {
        if (turns != null) {
            turns.stop();
        }
        for (Thread worker : workers) {
            worker.join(10_000);
        }
    }

    @Test
    void aWakeUpSendsOneIdleWorkerNotAll() throws Exception {
        turns = new WorkerTurns(3, Duration.ofHours(1), clock::get);
        assertEquals(WorkerTurns.Turn.POLL, turns.await(Long.MAX_VALUE), "the first poll is due at once");
        startIdleWorkers(3);

        turns.wake();

        assertEquals(WorkerTurns.Turn.WOKEN, turnsTaken.poll(10, TimeUnit.SECONDS));
        assertEquals(null, turnsTaken.poll(500, TimeUnit.MILLISECONDS), "a second worker went on the same wake-up");
        turns.wake();
        assertEquals(WorkerTurns.Turn.WOKEN, turnsTaken.poll(10, TimeUnit.SECONDS), "the next wake-up sends the next worker");
    }

    @Test
    void theTimedPollIsOneWorkersPerInterval() throws Exception {
        turns = new WorkerTurns(3, Duration.ofMillis(200), clock::get);
        assertEquals(WorkerTurns.Turn.POLL, turns.await(Long.MAX_VALUE));
        startIdleWorkers(3);
        assertEquals(null, turnsTaken.poll(500, TimeUnit.MILLISECONDS), "nobody polls before the interval passed");

        clock.addAndGet(SECOND);

        assertEquals(WorkerTurns.Turn.POLL, turnsTaken.poll(10, TimeUnit.SECONDS));
        assertEquals(null, turnsTaken.poll(1, TimeUnit.SECONDS), "a second worker polled in the same interval");
        clock.addAndGet(SECOND);
        assertEquals(WorkerTurns.Turn.POLL, turnsTaken.poll(10, TimeUnit.SECONDS), "the next interval's poll");
    }

    @Test
    void wakeUpsWhileEveryWorkerIsBusyAreKeptOnePerWorker() throws Exception {
        turns = new WorkerTurns(2, Duration.ofHours(1), clock::get);
        assertEquals(WorkerTurns.Turn.POLL, turns.await(Long.MAX_VALUE));
        for (int i = 0; i < 5; i++) {
            turns.wake();
        }
        assertEquals(WorkerTurns.Turn.WOKEN, turns.await(clock.get()));
        assertEquals(WorkerTurns.Turn.WOKEN, turns.await(clock.get()));
        assertEquals(WorkerTurns.Turn.DEADLINE, turns.await(clock.get()), "more wake-ups kept than workers");
    }

    @Test
    void stopReleasesEveryWaitingWorker() throws Exception {
        turns = new WorkerTurns(3, Duration.ofHours(1), clock::get);
        turns.await(Long.MAX_VALUE);
        startIdleWorkers(3);
        turns.stop();
        for (int i = 0; i < 3; i++) {
            assertEquals(WorkerTurns.Turn.STOPPED, turnsTaken.poll(10, TimeUnit.SECONDS));
        }
    }

    /** Workers that each wait for one turn and report it; returns when all of them wait. */
    private void startIdleWorkers(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            Thread worker = new Thread(() -> {
                try {
                    turnsTaken.add(turns.await(Long.MAX_VALUE));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        long deadline = System.nanoTime() + 10 * SECOND;
        while (!workers.stream().allMatch(w -> w.getState() == Thread.State.TIMED_WAITING
                || w.getState() == Thread.State.WAITING)) {
            assertTrue(System.nanoTime() < deadline, "the workers did not start waiting");
            Thread.sleep(10);
        }
    }
}
