package org.photobridge.gateway.outbox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.FailureNames;
import org.photobridge.gateway.persistence.WorkItem;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the work queue on {@code workers} background threads of this instance. Each worker claims a
 * batch of due items, does them one by one and claims again; when nothing is due it waits for its
 * turn ({@link WorkerTurns}): new work wakes one worker (a worker that claimed a full batch wakes
 * another, so a backlog is shared), and one idle worker per {@code poll-interval} looks for work that
 * fell due. Other instances on the same database claim beside it; the lease keeps them apart. On
 * shutdown the workers finish the item in hand and stop.
 *
 * <p>While uploads are in flight on this instance, work that yields to intake (deliveries) waits, as
 * {@link IntakePriority} rules: workers claim only the other kinds, hand back unstarted deliveries
 * of a batch claimed before the uploads came, and take one delivery whenever one has waited
 * {@code intake-priority.max-delay}; the last upload's end wakes them. Meanwhile a photo accepted
 * wakes no worker for its deliveries, and a worker's pass does not look for held-back deliveries
 * again: the database is not asked what is already known.
 */
@ApplicationScoped
public class WorkRunner {
    private static final Logger LOG = Logger.getLogger(WorkRunner.class);

    @Inject
    WorkQueue queue;

    @Inject
    WorkQueueConfig config;

    @Inject
    Event<QueuePassed> passes;

    @Inject
    IntakePriority priority;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private volatile WorkerTurns turns;
    private String owner;

    /** Fired after a worker found nothing more due: housekeeping (purging sent bytes) may run. */
    public record QueuePassed() {
    }

    void onStart(@Observes StartupEvent event) {
        owner = config.instanceId().orElseGet(() -> hostName() + ":" + httpPort);
        int released = queue.releaseLeasesOf(owner);
        if (released > 0) {
            LOG.infof("resuming %d work items interrupted when this instance (%s) last stopped", released, owner);
        }
        int count = Math.max(1, config.workers());
        turns = new WorkerTurns(count, config.pollInterval(), System::nanoTime);
        priority.whenIdle(this::wake);
        running = true;
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(this::work, "photobridge-work-" + i);
            thread.setDaemon(true);
            workers.add(thread);
            thread.start();
        }
    }

    /** This instance's name in leases. */
    public String owner() {
        return owner;
    }

    /**
     * Sends one worker to look for due work now; cheap to call after every change that adds work. A
     * worker that finds a full batch sends another.
     */
    public void wake() {
        WorkerTurns current = turns;
        if (current != null) {
            current.wake();
        }
    }

    /**
     * New deliveries were committed (an accepted photo's): wakes a worker for them, unless deliveries
     * are already held back for uploads in flight ({@link IntakePriority#holdingBack()}). Then a
     * worker already waits for the next one's turn and the end of the uploads wakes one, so a worker
     * woken now would only query the queue to leave them for later: two transactions per photo
     * through a burst of uploads, for nothing.
     */
    public void deliveriesAdded() {
        if (priority.holdingBack() && queue.yieldingKinds().contains(WorkItem.Kind.PACS_DELIVERY)) {
            return;
        }
        wake();
    }

    /**
     * Work added or queued again ({@link WorkQueue.Added}) wakes a worker once its transaction has
     * committed (at once outside a transaction; not at all after a rollback).
     */
    void onWorkAdded(@Observes(during = TransactionPhase.AFTER_SUCCESS) WorkQueue.Added event) {
        wake();
    }

    private void work() {
        while (running) {
            Pass pass;
            try {
                pass = pass();
            } catch (RuntimeException e) {
                LOG.errorf("work queue pass failed (%s); trying again in %s", FailureNames.of(e), config.pollInterval());
                pass = new Pass(false, false);
            }
            if (!pass.more()) {
                try {
                    passes.fire(new QueuePassed());
                } catch (RuntimeException e) {
                    LOG.errorf("housekeeping after a queue pass failed: %s", FailureNames.of(e));
                }
                // Back when the deferred work gets its turn (or earlier, when the uploads end and wake one).
                long deadline = pass.deferred()
                        ? System.nanoTime() + priority.untilTurn().toNanos() + 1_000_000
                        : Long.MAX_VALUE;
                try {
                    turns.await(deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** What one pass came to: whether more may be due at once, and whether due work was left to wait for intake. */
    private record Pass(boolean more, boolean deferred) {
    }

    /** Claims and does one batch, yielding to uploads in flight as {@link IntakePriority} says. */
    private Pass pass() {
        Set<WorkItem.Kind> yieldingKinds = queue.yieldingKinds();
        IntakePriority.Turn turn = priority.turn();
        List<WorkQueue.Claim> claims = switch (turn) {
            case ALL -> queue.claim(owner, config.batchSize());
            case ONE_YIELDING -> queue.claim(owner, 1, yieldingKinds);
            case NONE_YIELDING -> queue.claim(owner, config.batchSize(), EnumSet.complementOf(asEnumSet(yieldingKinds)));
        };
        if (turn != IntakePriority.Turn.ONE_YIELDING && claims.size() == config.batchSize()) {
            // More may be due: another worker takes the next batch while this one works.
            wake();
        }
        boolean deferred = false;
        // Already held back: known to be due (only a turn at the bound or another instance takes it
        // meanwhile, and a turn ends the holding back), so not looked for again.
        if (turn == IntakePriority.Turn.NONE_YIELDING && (priority.holdingBack() || queue.anyDue(yieldingKinds))) {
            priority.deferred();
            deferred = true;
        }
        boolean handedBack = false;
        for (int i = 0; i < claims.size(); i++) {
            if (!running) {
                // Stopping: hand back what this worker has not started (what went back already is skipped).
                for (WorkQueue.Claim rest : claims.subList(i, claims.size())) {
                    queue.release(rest, "the gateway instance stopped before trying");
                }
                return new Pass(false, deferred);
            }
            WorkQueue.Claim claim = claims.get(i);
            boolean yields = yieldingKinds.contains(claim.item().kind);
            if (yields && handedBack) {
                continue;
            }
            if (yields && turn == IntakePriority.Turn.ALL && priority.yielding()) {
                // Uploads came after this batch was claimed: its deliveries not yet started go back
                // (no attempt counted), the other work goes on.
                queue.handBack(claims.subList(i, claims.size()).stream()
                        .filter(c -> yieldingKinds.contains(c.item().kind)).toList());
                priority.deferred();
                deferred = true;
                handedBack = true;
                continue;
            }
            WorkItem after = queue.work(claim);
            // An EHR's refusal may quote the resource (its diagnostics): that reason is kept with the
            // item for the operator (GET /api/v1/work), not logged.
            boolean reasonLogged = after.lastError != null && after.kind != WorkItem.Kind.EHR_PUBLICATION;
            LOG.infof("%s %s%s: %s (attempt %d)%s", after.kind, after.photoId != null ? "photo " + after.photoId
                    : after.resourceType, after.destination != null ? " at " + after.destination : "", after.status,
                    after.attempts, reasonLogged ? ": " + after.lastError : "");
        }
        return new Pass(switch (turn) {
            case ONE_YIELDING -> !claims.isEmpty();
            default -> claims.size() == config.batchSize() && !deferred;
        }, deferred);
    }

    private static EnumSet<WorkItem.Kind> asEnumSet(Set<WorkItem.Kind> kinds) {
        return kinds.isEmpty() ? EnumSet.noneOf(WorkItem.Kind.class) : EnumSet.copyOf(kinds);
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    void shutdown() {
        running = false;
        WorkerTurns current = turns;
        if (current != null) {
            current.stop();
        }
        for (Thread thread : workers) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        workers.clear();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "photobridge";
        }
    }
}
