package org.photobridge.gateway.outbox;

import org.photobridge.gateway.persistence.WorkItem;

/**
 * Does the work of one kind. The queue claims an item, calls {@link #attempt} outside any
 * transaction, then records the outcome in one transaction with the item locked, calling
 * {@link #settle} and {@link #recorded} inside it.
 */
public interface WorkHandler {

    WorkItem.Kind kind();

    /** Whether work of this kind is asked for at all (an EHR publication needs an EHR). */
    default boolean enabled() {
        return true;
    }

    /**
     * Whether this work waits while uploads are in flight on this gateway ({@link IntakePriority}):
     * bulky work that can come a little later, such as sending photos to a PACS.
     */
    default boolean yieldsToIntake() {
        return false;
    }

    /** One attempt; must not throw (an exception counts as a retry). May take as long as its time-outs. */
    WorkOutcome attempt(WorkItem item);

    /** Inside the recording transaction, before the outcome is applied: may change it. */
    default WorkOutcome settle(WorkItem item, WorkOutcome outcome) {
        return outcome;
    }

    /** Inside the recording transaction, after the item's new state is set: follow-up work, audit. */
    default void recorded(WorkItem item, WorkOutcome outcome) {
    }
}
