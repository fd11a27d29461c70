package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of break-the-glass grants. */
@ApplicationScoped
public class BreakGlassGrants implements PanacheRepositoryBase<BreakGlassGrant, UUID> {

    @Transactional
    public BreakGlassGrant grant(UUID photoId, String subject, String username, String reason, Instant grantedAt,
            Instant expiresAt) {
        var grant = new BreakGlassGrant();
        grant.id = UUID.randomUUID();
        grant.photoId = photoId;
        grant.subject = subject;
        grant.username = username;
        grant.reason = reason;
        grant.grantedAt = grantedAt;
        grant.expiresAt = expiresAt;
        persist(grant);
        return grant;
    }

    /** When the subject's latest unexpired grant on the photo ends, if they hold one at {@code now}. */
    @Transactional
    public Optional<Instant> activeUntil(String subject, UUID photoId, Instant now) {
        return find("subject = ?1 and photoId = ?2 and expiresAt > ?3 order by expiresAt desc", subject, photoId, now)
                .firstResultOptional().map(g -> g.expiresAt);
    }

    /** For each of these photos the subject holds an unexpired grant on, when the latest ends. */
    @Transactional
    public Map<UUID, Instant> activeUntil(String subject, Collection<UUID> photoIds, Instant now) {
        if (photoIds.isEmpty()) {
            return Map.of();
        }
        return list("subject = ?1 and photoId in ?2 and expiresAt > ?3", subject, photoIds, now).stream()
                .collect(Collectors.toMap(g -> g.photoId, g -> g.expiresAt, (a, b) -> a.isAfter(b) ? a : b));
    }

    /** Grants newest first; only unexpired ones when {@code activeOnly}. */
    @Transactional
    public List<BreakGlassGrant> newest(boolean activeOnly, Instant now, int limit) {
        return (activeOnly ? find("expiresAt > ?1 order by grantedAt desc, id", now)
                : find("order by grantedAt desc, id")).page(0, limit).list();
    }
}
