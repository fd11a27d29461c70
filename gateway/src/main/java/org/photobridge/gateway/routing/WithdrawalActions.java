package org.photobridge.gateway.routing;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.pacs.DestinationsConfig;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.WorkItems;

/**
 * The withdrawal work a destination gets for a withdrawn photo: its configured action (reject,
 * delete or none), and for a rejection note the UIDs and time it keeps across retries.
 */
@ApplicationScoped
public class WithdrawalActions {

    @Inject
    Event<WorkQueue.Added> added;

    @Inject
    DestinationsConfig config;

    @Inject
    UidGenerator uids;

    @Inject
    WorkItems items;

    @Inject
    Clock clock;

    /** New withdrawal work for one destination, queued (or done at once for action none). */
    public WorkItem newWithdrawal(UUID photoId, String destination, Instant now) {
        WorkItem row = WorkItem.queued(WorkItem.Kind.PACS_WITHDRAWAL, now);
        row.photoId = photoId;
        row.destination = destination;
        row.action = config.destinations().containsKey(destination)
                ? config.destinations().get(destination).withdrawalAction() : "none";
        row.requestedAt = now;
        if ("reject".equals(row.action)) {
            row.noteSeriesUid = uids.next();
            row.noteSopUid = uids.next();
        }
        if ("none".equals(row.action)) {
            row.closeDone(now, null);
        }
        return row;
    }

    /**
     * A delivery that was under way when the photo was withdrawn has reached its PACS after all:
     * queue that destination's withdrawal action, which was first closed as "never delivered".
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void reopenAfterLateDelivery(UUID photoId, String destination) {
        Instant now = clock.instant();
        items.ofPhotoAt(photoId, WorkItem.Kind.PACS_WITHDRAWAL, destination).ifPresentOrElse(row -> {
            if (row.status == WorkItem.Status.DONE && !"none".equals(row.action)) {
                row.requeue(now);
            }
        }, () -> items.persist(newWithdrawal(photoId, destination, now)));
        // Taken back promptly: a worker is woken once the delivery's outcome has committed.
        added.fire(new WorkQueue.Added());
    }
}
