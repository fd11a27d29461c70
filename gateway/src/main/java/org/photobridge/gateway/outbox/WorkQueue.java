package org.photobridge.gateway.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.FailureNames;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.WorkItem.Kind;
import org.photobridge.gateway.persistence.WorkItem.Status;
import org.photobridge.gateway.persistence.WorkItems;

/**
 * The one work queue: every kind of outbound work (PACS delivery, PACS withdrawal, EHR
 * publication) is claimed under a lease, attempted by its kind's {@link WorkHandler}, retried with
 * bounded exponential backoff and jitter, and parked as FAILED with a reason after
 * {@code max-attempts}. Enqueuing joins the caller's transaction, so work is asked for exactly when
 * the change that needs it commits.
 */
@ApplicationScoped
public class WorkQueue {
    private static final Logger LOG = Logger.getLogger(WorkQueue.class);
    public static final String CONSENT = "Consent";
    public static final String IMAGING_STUDY = "ImagingStudy";

    /**
     * Fired when work that is due at once was added or queued again. The runner observes it after the
     * transaction commits ({@link WorkRunner}): a worker woken before the commit finds nothing and
     * waits for the next timed poll.
     */
    public record Added() {
    }

    @Inject
    Event<Added> added;

    @Inject
    WorkItems items;

    @Inject
    Clock clock;

    @Inject
    WorkQueueConfig config;

    @Inject
    @Any
    Instance<WorkHandler> handlerBeans;

    private final Map<Kind, WorkHandler> handlers = new EnumMap<>(Kind.class);
    private Set<Kind> yielding = Set.of();

    /** One claimed item: what was claimed, under which lease, at which generation. */
    public record Claim(WorkItem item, UUID token, int generation) {
    }

    @PostConstruct
    void collectHandlers() {
        for (WorkHandler handler : handlerBeans) {
            if (handlers.put(handler.kind(), handler) != null) {
                throw new IllegalStateException("two handlers for " + handler.kind());
            }
        }
        EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
        handlers.values().stream().filter(WorkHandler::yieldsToIntake).forEach(h -> kinds.add(h.kind()));
        yielding = Collections.unmodifiableSet(kinds);
    }

    public WorkHandler handler(Kind kind) {
        WorkHandler handler = handlers.get(kind);
        if (handler == null) {
            throw new IllegalStateException("no handler for " + kind);
        }
        return handler;
    }

    /** Adds new work; joins the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(WorkItem item) {
        items.persist(item);
        added.fire(new Added());
    }

    /**
     * Asks for the current state of an EHR resource to be published: one item per resource, queued
     * again when it already exists (also while an attempt is running: that attempt then does not
     * close it). Nothing when no EHR is configured.
     */
    @Transactional
    public void requestPublication(String resourceType, String resourceId) {
        if (!handler(Kind.EHR_PUBLICATION).enabled()) {
            return;
        }
        Instant now = clock.instant();
        items.ofResource(resourceType, resourceId).ifPresentOrElse(item -> item.requeue(now), () -> {
            WorkItem item = WorkItem.queued(Kind.EHR_PUBLICATION, now);
            item.resourceType = resourceType;
            item.resourceId = resourceId;
            items.persist(item);
        });
        added.fire(new Added());
    }

    /** Claims up to {@code limit} due items for {@code owner}. */
    @Transactional
    public List<Claim> claim(String owner, int limit) {
        return claim(owner, limit, EnumSet.allOf(Kind.class));
    }

    /** Claims up to {@code limit} due items of these kinds for {@code owner}. */
    @Transactional
    public List<Claim> claim(String owner, int limit, Set<Kind> kinds) {
        Instant now = clock.instant();
        // One statement leases and returns the items, their attempts counted (a crash mid-attempt still counts).
        List<WorkItem> leased = items.leaseDue(owner, now, now.plus(config.lease()), limit, kinds);
        List<Claim> claims = new ArrayList<>(leased.size());
        for (WorkItem item : leased) {
            claims.add(new Claim(item, item.leaseToken, item.generation));
        }
        return claims;
    }

    /** The kinds whose handlers yield to uploads in flight ({@link WorkHandler#yieldsToIntake()}). */
    public Set<Kind> yieldingKinds() {
        return yielding;
    }

    /** Whether work of these kinds is due now and not held by anyone. */
    @Transactional
    public boolean anyDue(Set<Kind> kinds) {
        return items.anyDue(clock.instant(), kinds);
    }

    /**
     * Gives back claims not yet attempted, as if never claimed: no attempt counted, due as before, free
     * for any instance (an idle replica may take what a busy one hands back).
     */
    public void handBack(List<Claim> claims) {
        // One item per transaction: a withdrawal locks a photo's deliveries together, so this never
        // holds one item's lock while it waits for another's.
        for (Claim claim : claims) {
            io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> unlease(claim));
        }
    }

    /**
     * The claimed item, locked, with its lease dropped and the claim's attempt uncounted; null when the
     * lease is no longer this claim's. Runs in the caller's transaction.
     */
    private WorkItem unlease(Claim claim) {
        WorkItem item = items.locked(claim.item().id);
        if (!claim.token().equals(item.leaseToken)) {
            return null;
        }
        item.leaseOwner = null;
        item.leaseUntil = null;
        item.leaseToken = null;
        item.attempts = Math.max(0, item.attempts - 1);
        return item;
    }

    /** Attempts a claimed item with its handler and records the outcome. */
    public WorkItem work(Claim claim) {
        WorkHandler handler = handler(claim.item().kind);
        WorkOutcome outcome;
        try {
            outcome = handler.attempt(claim.item());
        } catch (RuntimeException e) {
            // A handler must not throw, but a bug in one must not stop the queue either.
            LOG.errorf("work item %s (%s) threw %s", claim.item().id, claim.item().kind, FailureNames.of(e));
            outcome = new WorkOutcome.Retry("unexpected error: " + e.getClass().getSimpleName());
        }
        return record(claim, outcome);
    }

    /**
     * Records one attempt's outcome and releases the lease. An item whose lease was lost meanwhile
     * (expired and claimed by another instance) is left to its new holder.
     */
    @Transactional
    public WorkItem record(Claim claim, WorkOutcome outcome) {
        Instant now = clock.instant();
        WorkItem item = items.locked(claim.item().id);
        if (!claim.token().equals(item.leaseToken)) {
            LOG.warnf("work item %s: lease lost before its outcome was recorded", item.id);
            return item;
        }
        WorkHandler handler = handler(item.kind);
        item.leaseOwner = null;
        item.leaseUntil = null;
        item.leaseToken = null;
        item.updatedAt = now;
        outcome = handler.settle(item, outcome);
        if (item.generation != claim.generation() && item.status.pending()) {
            // Asked for again while this attempt ran: the newer request still stands, due now (the
            // wake-up of that request found the item leased).
            item.attempts = 0;
            added.fire(new Added());
            return item;
        }
        if (outcome instanceof WorkOutcome.Done) {
            item.status = Status.DONE;
            item.doneAt = now;
            item.nextAttemptAt = null;
            item.lastError = null;
        } else if (outcome instanceof WorkOutcome.Retry retry && item.attempts < config.maxAttempts()) {
            item.status = Status.RETRYING;
            item.nextAttemptAt = now.plus(backoff(item.attempts));
            item.lastError = truncate(retry.message());
        } else {
            item.status = Status.FAILED;
            item.nextAttemptAt = null;
            item.lastError = truncate(outcome instanceof WorkOutcome.Retry
                    ? "gave up after " + item.attempts + " attempts; last: " + outcome.message()
                    : outcome.message());
        }
        handler.recorded(item, outcome);
        return item;
    }

    /** Releases a claim without counting an attempt (the gateway itself could not try). */
    @Transactional
    public void release(Claim claim, String reason) {
        WorkItem item = unlease(claim);
        if (item == null) {
            return;
        }
        item.lastError = truncate(reason);
        item.nextAttemptAt = clock.instant().plus(config.initialBackoff());
        item.status = item.status == Status.QUEUED ? Status.QUEUED : Status.RETRYING;
        item.updatedAt = clock.instant();
    }

    /** Releases every lease held under {@code owner}: at start-up, when nothing can be in flight under it. */
    @Transactional
    public int releaseLeasesOf(String owner) {
        return items.releaseLeasesOf(owner);
    }

    /** Puts a photo's parked work of one kind back in the queue (an admin retry); returns how many. */
    @Transactional
    public int requeueFailed(UUID photoId, Kind kind) {
        Instant now = clock.instant();
        List<WorkItem> failed = items.failedOfPhoto(photoId, kind);
        failed.forEach(item -> item.requeue(now));
        if (!failed.isEmpty()) {
            added.fire(new Added());
        }
        return failed.size();
    }

    /** Why an admin retry of one item was refused. */
    public enum RequeueRefusal {
        NOT_FOUND, NOT_FAILED
    }

    /** Puts one parked item back in the queue (an admin retry); the refusal when it is unknown or not FAILED. */
    @Transactional
    public Optional<RequeueRefusal> requeue(UUID id) {
        WorkItem item = items.locked(id);
        if (item == null) {
            return Optional.of(RequeueRefusal.NOT_FOUND);
        }
        if (item.status != Status.FAILED) {
            return Optional.of(RequeueRefusal.NOT_FAILED);
        }
        item.requeue(clock.instant());
        added.fire(new Added());
        return Optional.empty();
    }

    /**
     * Wait after the {@code attempts}-th failed attempt: {@code initial-backoff} doubled per attempt,
     * capped at {@code max-backoff}, then a random half of it taken off, so gateways that failed
     * together (a PACS outage) do not all return at once.
     */
    public Duration backoff(int attempts) {
        Duration initial = config.initialBackoff();
        Duration max = config.maxBackoff();
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        Duration wait = initial.multipliedBy(1L << shift);
        if (wait.compareTo(max) > 0 || wait.isNegative()) {
            wait = max;
        }
        long millis = wait.toMillis();
        return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }
}
