package org.photobridge.gateway.routing;

import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.pacs.PacsOutcome;

/** What an exchange with a PACS came to, as the work queue records it: the same three answers, message kept. */
final class WorkOutcomes {

    private WorkOutcomes() {
    }

    static WorkOutcome of(PacsOutcome outcome) {
        if (outcome instanceof PacsOutcome.Done done) {
            return new WorkOutcome.Done(done.message());
        }
        if (outcome instanceof PacsOutcome.Retry retry) {
            return new WorkOutcome.Retry(retry.message());
        }
        return new WorkOutcome.Failed(((PacsOutcome.Failed) outcome).message());
    }
}
