package org.photobridge.gateway.pacs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The last check of every destination (C-ECHO or HTTP probe), kept for
 * {@code photobridge.destination-check.max-age}: readiness ({@code /q/health/ready}, public) and the
 * administrators' view read it, so however often they are asked, each destination is checked at most
 * once per max-age. Callers that find a result too old wait for the one check that renews it.
 */
@ApplicationScoped
public class DestinationChecks {

    /** One destination's check: its result and when it ended. */
    public record Checked(String name, boolean reachable, String detail, Instant checkedAt) {
    }

    private final Destinations destinations;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Checked> last = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    @Inject
    public DestinationChecks(Destinations destinations, Clock clock, DestinationChecksConfig config) {
        this.destinations = destinations;
        this.clock = clock;
        this.maxAge = config.maxAge();
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalStateException("photobridge.destination-check.max-age must be positive, was " + maxAge);
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
        synchronized (locks.computeIfAbsent(destination.name(), name -> new Object())) {
            known = last.get(destination.name());
            if (fresh(known)) {
                return known; // renewed by the caller this one waited for
            }
            var reach = destination.check();
            var checked = new Checked(destination.name(), reach.reachable(), reach.detail(), clock.instant());
            last.put(destination.name(), checked);
            return checked;
        }
    }

    private boolean fresh(Checked checked) {
        return checked != null && checked.checkedAt().plus(maxAge).isAfter(clock.instant());
    }
}
