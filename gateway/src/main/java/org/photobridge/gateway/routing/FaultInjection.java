package org.photobridge.gateway.routing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.PhotoRecord;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Test-only fault points, off unless configured: they let the fault tests make the narrow windows
 * of the delivery path happen on purpose. Never set in production.
 */
@ApplicationScoped
public class FaultInjection {
    private static final Logger LOG = Logger.getLogger(FaultInjection.class);

    /** {@code photobridge.fault-injection.*}. */
    @ConfigMapping(prefix = "photobridge.fault-injection")
    public interface Settings {
        /**
         * Halt the process (as SIGKILL would) right after a PACS confirmed a delivery and before the
         * gateway records it: the window in which a second copy can reach the PACS.
         */
        @WithDefault("false")
        boolean haltAfterPacsConfirmed();
    }

    @Inject
    Settings settings;

    private volatile Hold hold;

    /**
     * In-process tests only: the next delivery {@code which} matches waits, after the PACS confirmed
     * it and before the gateway records it, until the test releases it (or a minute passes).
     */
    public Hold holdAfterPacsConfirmed(BiPredicate<PhotoRecord, String> which) {
        Hold next = new Hold(which);
        hold = next;
        return next;
    }

    /** A delivery held between the PACS's confirmation and the gateway's record. */
    public static final class Hold {
        private final BiPredicate<PhotoRecord, String> which;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Hold(BiPredicate<PhotoRecord, String> which) {
            this.which = which;
        }

        /** Waits until a matching delivery was confirmed by its PACS and is held. */
        public boolean awaitReached(Duration timeout) throws InterruptedException {
            return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }
    }

    void afterPacsConfirmed(PhotoRecord photo, String destination) {
        if (settings.haltAfterPacsConfirmed()) {
            LOG.warn("fault injection: halting between the PACS's confirmation and the gateway's record");
            Runtime.getRuntime().halt(137);
        }
        Hold current = hold;
        if (current != null && current.which.test(photo, destination)) {
            hold = null;
            current.reached.countDown();
            try {
                if (!current.released.await(1, TimeUnit.MINUTES)) {
                    LOG.warn("fault injection: a held delivery was never released; going on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
