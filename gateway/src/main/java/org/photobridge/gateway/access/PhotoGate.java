package org.photobridge.gateway.access;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.gateway.persistence.BreakGlassGrants;
import org.photobridge.gateway.persistence.PhotoRecord;

/**
 * Asks {@link AccessPolicy} about one stored photo with every fact it weighs: the photo's access
 * tags, the caller's unexpired break-the-glass grant on it, whether its body site needs a second
 * factor and whether the caller's token shows one. Every door that serves photos asks here.
 */
@ApplicationScoped
public class PhotoGate {

    @Inject
    BreakGlassGrants grants;

    @Inject
    StepUp stepUp;

    @Inject
    Clock clock;

    public AccessPolicy.Decision decide(Caller caller, PhotoRecord photo, AccessPolicy.PhotoUse use) {
        return AccessPolicy.photo(caller, facts(caller, photo, grantUntil(caller, photo).isPresent()), use);
    }

    /** The same for many photos, with one query for the grants. */
    public Map<UUID, AccessPolicy.Decision> decide(Caller caller, Collection<PhotoRecord> photos,
            AccessPolicy.PhotoUse use) {
        Map<UUID, Instant> held = grants.activeUntil(caller.subject(), photos.stream().map(p -> p.id).toList(),
                clock.instant());
        var out = new java.util.HashMap<UUID, AccessPolicy.Decision>();
        for (PhotoRecord photo : photos) {
            out.put(photo.id, AccessPolicy.photo(caller, facts(caller, photo, held.containsKey(photo.id)), use));
        }
        return out;
    }

    /** When the caller's break-the-glass grant on the photo ends, if they hold one now. */
    public Optional<Instant> grantUntil(Caller caller, PhotoRecord photo) {
        return grants.activeUntil(caller.subject(), photo.id, clock.instant());
    }

    /** For each of these photos the caller holds an unexpired grant on, when it ends. */
    public Map<UUID, Instant> grantsUntil(Caller caller, Collection<PhotoRecord> photos) {
        return grants.activeUntil(caller.subject(), photos.stream().map(p -> p.id).toList(), clock.instant());
    }

    /** What a 401 asks the client to obtain. */
    public String requiredAcr() {
        return stepUp.requiredAcr();
    }

    private AccessPolicy.PhotoFacts facts(Caller caller, PhotoRecord photo, boolean breakGlass) {
        return new AccessPolicy.PhotoFacts(photo.accessTagList(), breakGlass, stepUp.sensitive(photo.bodySiteCode),
                stepUp.satisfiedBy(caller));
    }
}
