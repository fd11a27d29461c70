package org.photobridge.gateway.routing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

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

    void afterPacsConfirmed() {
        if (settings.haltAfterPacsConfirmed()) {
            LOG.warn("fault injection: halting between the PACS's confirmation and the gateway's record");
            Runtime.getRuntime().halt(137);
        }
    }
}
