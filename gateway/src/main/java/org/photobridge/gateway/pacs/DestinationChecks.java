package org.photobridge.gateway.pacs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * The last check of every destination (C-ECHO or HTTP probe), kept for
 * {@code photobridge.destination-check.max-age}: readiness ({@code /q/health/ready}, public) and the
 * administrators' view read it, so however often they are asked, each destination is checked at most
 * once per max-age. While one caller renews a result that is too old, the others get that last
 * result at once (a hung PACS would otherwise hold every readiness request for its time-outs); only
 * before the first check do callers wait for it.
 */
@ApplicationScoped
public class DestinationChecks {
    private static final Logger LOG = Logger.getLogger(DestinationChecks.class);

    /** One destination's check: its result and when it ended. */
    public record Checked(String name, boolean reachable, String detail, Instant checkedAt) {
    }

    private final Destinations destinations;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Checked> last = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    @Inject
    public DestinationChecks(Destinations destinations, Clock clock, DestinationChecksConfig config) {
        this.destinations = destinations;
        this.clock = clock;
        this.maxAge = config.maxAge();
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalStateException("photobridge.destination-check.max-age must be positive, was " + maxAge);
        }
    }

    /** Checks every destination once at start-up, so the first readiness call finds a result, and logs it. */
    void checkAtStartup(@Observes StartupEvent event) {
        for (Checked check : current()) {
            if (check.reachable()) {
                LOG.infof("destination %s reachable: %s", check.name(), check.detail());
            } else {
                LOG.warnf("destination %s NOT reachable at start-up (photos will queue and be retried): %s",
                        check.name(), check.detail());
            }
        }
    }

    /** Every enabled destination's check, no older than max-age. */
    public List<Checked> current() {
        var checks = new ArrayList<Checked>();
        for (Destination destination : destinations.all()) {
            checks.add(current(destination));
        }
        return checks;
    }

    /** True when every enabled destination's check, no older than max-age, found it reachable. */
    public boolean allReachable() {
        return current().stream().allMatch(Checked::reachable);
    }

    private Checked current(Destination destination) {
        Checked known = last.get(destination.name());
        if (fresh(known)) {
            return known;
        }
        ReentrantLock lock = locks.computeIfAbsent(destination.name(), name -> new ReentrantLock());
        if (known != null && !lock.tryLock()) {
            // Another caller is renewing it (a hung PACS may take connect-timeout + timeout): answer with
            // the last result instead of holding one more request thread.
            return known;
        }
        if (known == null) {
            lock.lock(); // nothing to answer with yet: wait for the first check
        }
        try {
            known = last.get(destination.name());
            if (fresh(known)) {
                return known; // renewed by the caller this one waited for
            }
            var reach = destination.check();
            var checked = new Checked(destination.name(), reach.reachable(), reach.detail(), clock.instant());
            last.put(destination.name(), checked);
            return checked;
        } finally {
            lock.unlock();
        }
    }

    private boolean fresh(Checked checked) {
        return checked != null && checked.checkedAt().plus(maxAge).isAfter(clock.instant());
    }
}
