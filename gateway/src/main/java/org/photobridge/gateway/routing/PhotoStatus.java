package org.photobridge.gateway.routing;

import java.util.List;

import org.photobridge.gateway.persistence.WorkItem;

/** The state of a photo as the status API reports it, derived from its deliveries. */
public enum PhotoStatus {
    /** Accepted and durable; no destination has been tried yet. */
    QUEUED,
    /** At least one destination is being tried or retried. */
    SENDING,
    /** Every destination confirmed storage. */
    STORED,
    /** At least one destination refused it for good or retries ran out; an admin can retry. */
    FAILED,
    /** Consent was withdrawn; the photo is no longer served. */
    WITHDRAWN;

    public static PhotoStatus of(List<WorkItem> deliveries) {
        if (deliveries.stream().anyMatch(d -> d.status == WorkItem.Status.FAILED)) {
            return FAILED;
        }
        if (!deliveries.isEmpty() && deliveries.stream().allMatch(d -> d.status == WorkItem.Status.DONE)) {
            return STORED;
        }
        boolean untouched = deliveries.stream()
                .allMatch(d -> d.status == WorkItem.Status.QUEUED && d.attempts == 0);
        return untouched ? QUEUED : SENDING;
    }
}
