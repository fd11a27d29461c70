package org.photobridge.gateway.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Permission;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.credential.Credential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * The identities of bearer tokens already verified, each kept for the very token it was verified
 * for: found by the SHA-256 of the token's whole text, served until the token's {@code exp} or
 * {@code reuse} after its verification, whichever comes first. What belonged to the request that
 * verified it (its routing context, its blocking executor) is not kept; {@link Kept#identity} puts
 * the current request's in. Nothing of a failed verification is kept.
 */
final class VerifiedTokens {
    /** Attributes that belong to one request, not to the token. */
    private static final Set<String> PER_REQUEST = Set.of(RoutingContext.class.getName(),
            AuthenticationRequestContext.class.getName());

    private final Clock clock;
    private final Duration reuse;
    private final int maxEntries;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    private final LongAdder reused = new LongAdder();

    VerifiedTokens(Clock clock, Duration reuse, int maxEntries) {
        this.clock = clock;
        this.reuse = reuse;
        this.maxEntries = maxEntries;
    }

    /** Whether identities are kept at all. */
    boolean enabled() {
        return !reuse.isZero() && !reuse.isNegative() && maxEntries > 0;
    }

    /** The identity verified for exactly this token, while it may still serve. */
    Optional<Kept> find(String token) {
        String key = digest(token);
        Kept found = kept.get(key);
        if (found == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(found.until())) {
            kept.remove(key, found);
            return Optional.empty();
        }
        reused.increment();
        return Optional.of(found);
    }

    /**
     * Keeps the identity the provider verified for {@code token}. Only an identity of a signed JWT with
     * an expiry is kept; when the store is full, expired entries go first and a token finding no room
     * is simply verified again next time.
     */
    void keep(String token, SecurityIdentity identity) {
        if (!enabled() || !(identity instanceof QuarkusSecurityIdentity verified)
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || !(jwt.getClaim(Claims.exp.name()) instanceof Number exp)) {
            return;
        }
        Instant now = clock.instant();
        Instant expires = Instant.ofEpochSecond(exp.longValue());
        Instant until = expires.isBefore(now.plus(reuse)) ? expires : now.plus(reuse);
        if (!now.isBefore(until)) {
            return;
        }
        if (kept.size() >= maxEntries) {
            kept.values().removeIf(entry -> !now.isBefore(entry.until()));
            if (kept.size() >= maxEntries) {
                return;
            }
        }
        // A HashMap: an attribute's value may be null, which Map.copyOf refuses.
        var attributes = new HashMap<>(verified.getAttributes());
        attributes.keySet().removeAll(PER_REQUEST);
        kept.put(digest(token), new Kept(verified.getPrincipal(), Set.copyOf(verified.getRoles()),
                Set.copyOf(verified.getCredentials()), Collections.unmodifiableMap(attributes),
                Set.copyOf(verified.getPermissions()), until));
    }

    /** How many requests were served a kept identity so far. */
    long reused() {
        return reused.sum();
    }

    /** How many tokens are kept now. */
    int size() {
        return kept.size();
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** What a verified token's identity is made of, without anything of the request that verified it. */
    record Kept(Principal principal, Set<String> roles, Set<Credential> credentials, Map<String, Object> attributes,
            Set<Permission> permissions, Instant until) {

        /** The identity for a request presenting the token again, with that request's own context. */
        SecurityIdentity identity(RoutingContext routing, AuthenticationRequestContext context) {
            var identity = QuarkusSecurityIdentity.builder().setPrincipal(principal).addRoles(roles)
                    .addCredentials(credentials).addAttributes(attributes).addPermissions(permissions);
            if (routing != null) {
                identity.addAttribute(RoutingContext.class.getName(), routing);
            }
            if (context != null) {
                identity.addAttribute(AuthenticationRequestContext.class.getName(), context);
            }
            return identity.build();
        }
    }
}
