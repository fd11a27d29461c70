package org.photobridge.gateway.operations;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.IntakePriority;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.pacs.DestinationChecks;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.WorkItems;
import org.photobridge.gateway.problem.ProblemException;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * The outbound work queue for gateway administrators: how many items of each kind stand in each
 * state, which ones are parked or retrying and why, and a retry for any parked item (an EHR
 * publication as much as a delivery), and the live check of every destination with its details (which the
 * public {@code /q/health} leaves out). Items name photos by gateway id and EHR resources by type and
 * id, never a patient.
 */
@Path("/api/v1/work")
@Authenticated
@Blocking
public class WorkQueueResource {
    static final int MAX_ITEMS = 500;

    @Inject
    CallerResolver callers;

    @Inject
    WorkItems items;

    @Inject
    WorkQueue queue;


    @Inject
    IntakePriority intakePriority;

    @Inject
    AuditLog audit;

    @Inject
    DestinationChecks checks;

    @Inject
    java.time.Clock clock;

    /** One item as the API shows it: the same fields and states for every kind. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ItemView(UUID id, WorkItem.Kind kind, WorkItem.Status status, int attempts, String lastError,
            Instant nextAttemptAt, Instant doneAt, Instant createdAt, Instant updatedAt, UUID photoId,
            String destination, String action, String resourceType, String resourceId) {

        static ItemView of(WorkItem w) {
            return new ItemView(w.id, w.kind, w.status, w.attempts, w.lastError, w.nextAttemptAt, w.doneAt,
                    w.createdAt, w.updatedAt, w.photoId, w.destination, w.action, w.resourceType, w.resourceId);
        }
    }

    public record QueueView(Map<WorkItem.Kind, Map<WorkItem.Status, Long>> counts, List<ItemView> items) {
    }

    /** The queue at a glance for the administration page. */
    public record Summary(Map<WorkItem.Status, Long> deliveries, Map<WorkItem.Kind, Map<WorkItem.Status, Long>> counts,
            long queueDepth, long failed, Instant oldestQueuedAt, Long oldestQueuedAgeSeconds,
            IntakePriority.Snapshot intakePriority) {
    }

    @GET
    @Path("/summary")
    @Produces("application/json")
    public Response summary() {
        Caller caller = permitted("work queue summary");
        var counts = items.counts();
        long depth = counts.values().stream()
                .mapToLong(c -> c.get(WorkItem.Status.QUEUED) + c.get(WorkItem.Status.RETRYING)).sum();
        long failed = counts.values().stream().mapToLong(c -> c.get(WorkItem.Status.FAILED)).sum();
        Optional<WorkItem> oldest = items.oldestWaiting();
        Instant now = clock.instant();
        var summary = new Summary(counts.get(WorkItem.Kind.PACS_DELIVERY), counts, depth, failed,
                oldest.map(w -> w.createdAt).orElse(null),
                oldest.map(w -> Math.max(0, java.time.Duration.between(w.createdAt, now).toSeconds())).orElse(null),
                intakePriority.snapshot());
        audit.record(AuditAction.WORK_QUEUE_READ, true, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                "work queue summary: depth " + depth + ", failed " + failed);
        return Response.ok(summary).header("Cache-Control", "no-store").build();
    }

    @GET
    @Produces("application/json")
    public Response list(@QueryParam("kind") List<String> kind, @QueryParam("status") List<String> status,
            @QueryParam("limit") Integer limit) {
        Caller caller = permitted("work queue read");
        Set<WorkItem.Kind> kinds = parse(WorkItem.Kind.class, "kind", kind, EnumSet.allOf(WorkItem.Kind.class));
        Set<WorkItem.Status> statuses = parse(WorkItem.Status.class, "status", status,
                EnumSet.of(WorkItem.Status.FAILED, WorkItem.Status.RETRYING));
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_ITEMS) {
            throw invalidQuery("limit must be between 1 and " + MAX_ITEMS);
        }
        var view = new QueueView(items.counts(), items.matching(kinds, statuses, max).stream().map(ItemView::of)
                .toList());
        audit.record(AuditAction.WORK_QUEUE_READ, true, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                "work queue listed: " + view.items().size() + " items of " + kinds + " in " + statuses);
        return Response.ok(view).header("Cache-Control", "no-store").build();
    }

    /** One destination's last check (at most max-age old), as only administrators see it. */
    public record DestinationView(String name, String status, String detail, String checkedAt) {
    }

    /** Readiness with its details: /q/health says UP or DOWN to anyone; hosts, AE titles and reasons are here. */
    public record DestinationsView(String status, List<DestinationView> destinations) {
    }

    @GET
    @Path("/destinations")
    @Produces("application/json")
    public Response destinations() {
        Caller caller = permitted("destination check");
        var views = new java.util.ArrayList<DestinationView>();
        boolean allUp = true;
        for (DestinationChecks.Checked check : checks.current()) {
            views.add(new DestinationView(check.name(), check.reachable() ? "UP" : "DOWN", check.detail(),
                    check.checkedAt().toString()));
            allUp &= check.reachable();
        }
        var view = new DestinationsView(allUp ? "UP" : "DOWN", views);
        audit.record(AuditAction.WORK_QUEUE_READ, true, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                "destinations checked: " + views.size() + ", " + view.status());
        return Response.ok(view).header("Cache-Control", "no-store").build();
    }

    @POST
    // One transaction: the answer shows the requeued state, and the worker is woken once it has
    // committed (WorkQueue.Added), so it cannot have taken the item before the answer is built.
    @Transactional
    @Path("/{id}/retry")
    @Produces("application/json")
    public ItemView retry(@PathParam("id") String id) {
        Caller caller = permitted("work item retry");
        UUID itemId;
        try {
            itemId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no such work item");
        }
        Optional<WorkQueue.RequeueRefusal> refusal = queue.requeue(itemId);
        if (refusal.isPresent()) {
            throw switch (refusal.get()) {
                case NOT_FOUND -> ProblemException.notFound("no such work item");
                case NOT_FAILED -> new ProblemException(409, "nothing-to-retry", "Nothing to retry",
                        "only FAILED work can be retried");
            };
        }
        WorkItem item = items.findById(itemId);
        audit.record(AuditAction.DELIVERY_RETRIED, true, AuditLog.Agent.of(caller), Optional.empty(),
                List.of("urn:uuid:" + item.id), item.kind + " requeued by an administrator");
        return ItemView.of(item);
    }

    private Caller permitted(String what) {
        Caller caller = callers.current();
        var decision = AccessPolicy.workQueue(caller);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                    what + " refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        return caller;
    }

    private static ProblemException invalidQuery(String detail) {
        return new ProblemException(400, "invalid-query", "Invalid query", detail);
    }

    private static <E extends Enum<E>> Set<E> parse(Class<E> type, String field, List<String> values, Set<E> all) {
        if (values == null || values.isEmpty()) {
            return all;
        }
        Set<E> parsed = EnumSet.noneOf(type);
        for (String value : values) {
            for (String one : value.split(",")) {
                try {
                    parsed.add(Enum.valueOf(type, one.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw invalidQuery(field + " must be one of " + Arrays.toString(type.getEnumConstants()));
                }
            }
        }
        return parsed;
    }
}
