package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.photobridge.gateway.persistence.WorkItem.Kind;
import org.photobridge.gateway.persistence.WorkItem.Status;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of the work queue. Callers bring the transaction. */
@ApplicationScoped
public class WorkItems implements PanacheRepositoryBase<WorkItem, UUID> {

    /**
     * Leases up to {@code limit} due, unleased items of these kinds to {@code owner} until {@code until}
     * and returns them, oldest due first, in one statement: the due rows are locked and skipped by
     * every other claimer meanwhile ({@code FOR UPDATE SKIP LOCKED}), so two gateways on one database
     * never claim the same item; each gets a lease token of its own and its attempt counted (an
     * attempt cut short by a crash still counts). An expired lease is due again. A delete waits for
     * the photo's rejection notes: a note is built from the object itself, which the delete may remove
     * from the only PACS that holds it.
     */
    @SuppressWarnings("unchecked")
    public List<WorkItem> leaseDue(String owner, Instant now, Instant until, int limit, Set<Kind> kinds) {
        if (kinds.isEmpty() || limit <= 0) {
            return List.of();
        }
        List<WorkItem> leased = new ArrayList<>(getSession().createNativeQuery("""
                with due as (
                  select w.id from work_item w
                  where w.status in ('QUEUED', 'RETRYING')
                    and w.kind in (:kinds)
                    and (w.next_attempt_at is null or w.next_attempt_at <= :now)
                    and (w.lease_until is null or w.lease_until < :now)
                    and not (w.kind = 'PACS_WITHDRAWAL' and w.action = 'delete' and exists (
                        select 1 from work_item n where n.kind = 'PACS_WITHDRAWAL' and n.photo_id = w.photo_id
                          and n.action = 'reject' and n.status in ('QUEUED', 'RETRYING')))
                  order by w.next_attempt_at nulls first, w.created_at
                  limit :limit
                  for update of w skip locked)
                update work_item w
                set lease_owner = :owner, lease_until = :until, lease_token = gen_random_uuid(),
                    attempts = w.attempts + 1
                from due where w.id = due.id
                returning w.*""", WorkItem.class)
                .setParameter("now", now).setParameter("limit", limit).setParameter("owner", owner)
                .setParameter("until", until)
                .setParameter("kinds", kinds.stream().map(Kind::name).toList()).getResultList());
        // RETURNING keeps no order: the oldest due first, as they were chosen.
        leased.sort(DUE_ORDER);
        return leased;
    }

    private static final Comparator<WorkItem> DUE_ORDER = Comparator
            .comparing((WorkItem w) -> w.nextAttemptAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(w -> w.createdAt, Comparator.nullsLast(Comparator.naturalOrder()));

    /** Whether work of these kinds is due now and not leased (no lock taken). */
    public boolean anyDue(Instant now, Set<Kind> kinds) {
        if (kinds.isEmpty()) {
            return false;
        }
        return !getSession().createNativeQuery("""
                select 1 from work_item w
                where w.status in ('QUEUED', 'RETRYING')
                  and w.kind in (:kinds)
                  and (w.next_attempt_at is null or w.next_attempt_at <= :now)
                  and (w.lease_until is null or w.lease_until < :now)
                limit 1""", Integer.class)
                .setParameter("now", now).setParameter("kinds", kinds.stream().map(Kind::name).toList())
                .getResultList().isEmpty();
    }

    public WorkItem locked(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** A photo's items of one kind, by destination. */
    public List<WorkItem> ofPhoto(UUID photoId, Kind kind) {
        return list("photoId = ?1 and kind = ?2 order by destination", photoId, kind);
    }

    /**
     * A photo's deliveries, locked: a withdrawal and a delivery's outcome are recorded under this lock.
     * Rows are locked in id order, so two transactions locking the same photo's deliveries never wait
     * for each other in a cycle.
     */
    public List<WorkItem> deliveriesLocked(UUID photoId) {
        return find("photoId = ?1 and kind = ?2 order by id", photoId, Kind.PACS_DELIVERY)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    public Optional<WorkItem> ofPhotoAt(UUID photoId, Kind kind, String destination) {
        return find("photoId = ?1 and kind = ?2 and destination = ?3", photoId, kind, destination)
                .firstResultOptional();
    }

    public Optional<WorkItem> ofResource(String resourceType, String resourceId) {
        return find("kind = ?1 and resourceType = ?2 and resourceId = ?3", Kind.EHR_PUBLICATION, resourceType,
                resourceId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    /** Releases every lease held under {@code owner}. */
    public int releaseLeasesOf(String owner) {
        return update("leaseOwner = null, leaseUntil = null, leaseToken = null where leaseOwner = ?1", owner);
    }

    /** A photo's parked work of one kind. */
    public List<WorkItem> failedOfPhoto(UUID photoId, Kind kind) {
        return list("photoId = ?1 and kind = ?2 and status = ?3", photoId, kind, Status.FAILED);
    }

    /** Items of the given kinds in the given states, most recently changed first. */
    public List<WorkItem> matching(Set<Kind> kinds, Set<Status> statuses, int limit) {
        return find("kind in ?1 and status in ?2 order by updatedAt desc, id", kinds, statuses).page(0, limit).list();
    }

    /** How many items there are of each kind in each state. */
    public Map<Kind, Map<Status, Long>> counts() {
        Map<Kind, Map<Status, Long>> counts = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            Map<Status, Long> byStatus = new EnumMap<>(Status.class);
            for (Status status : Status.values()) {
                byStatus.put(status, 0L);
            }
            counts.put(kind, byStatus);
        }
        find("select w.kind, w.status, count(w) from WorkItem w group by w.kind, w.status").project(Object[].class)
                .list()
                .forEach(row -> counts.get((Kind) row[0]).put((Status) row[1], (Long) row[2]));
        return counts;
    }

    /** The item of any kind that has waited longest to be done (QUEUED or RETRYING), if any. */
    public Optional<WorkItem> oldestWaiting() {
        return find("status in ?1 order by createdAt, id", EnumSet.of(Status.QUEUED, Status.RETRYING))
                .firstResultOptional();
    }
}
