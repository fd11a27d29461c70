package org.photobridge.gateway.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The store of verified tokens on its own, with a clock the test moves: what is found for which
 * token, until when, and what of the verifying request is left behind. (Served over HTTP with real
 * Keycloak tokens: {@link TokenReuseTest}.)
 */
class VerifiedTokensTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private final MovingClock clock = new MovingClock(T0);
    private final VerifiedTokens tokens = new VerifiedTokens(clock, Duration.ofSeconds(60), 3);

    @Test
    void theVerifiedTokenFindsItsIdentityAndNoOtherTokenDoes() {
        SecurityIdentity identity = verified("alice", T0.plusSeconds(300), "consent-manager");
        tokens.keep("token-a", identity);

        var found = tokens.find("token-a").orElseThrow();
        SecurityIdentity served = found.identity(null, null);
        assertSame(identity.getPrincipal(), served.getPrincipal());
        assertEquals(Set.of("consent-manager"), served.getRoles());
        var held = new StringPermission("consent", "read");
        var notHeld = new StringPermission("photo", "delete");
        assertTrue(identity.checkPermission(held).await().indefinitely());
        assertTrue(served.checkPermission(held).await().indefinitely(), "permissions come along");
        assertFalse(served.checkPermission(notHeld).await().indefinitely(), "and no others");
        assertFalse(tokens.find("token-b").isPresent(), "another token");
        assertFalse(tokens.find("token-a ").isPresent(), "a token differing in one character");
        assertEquals(1, tokens.reused());
    }

    @Test
    void aTokenServesUntilItsExpiryWhenThatComesFirst() {
        tokens.keep("token-a", verified("alice", T0.plusSeconds(30), "consent-manager"));
        clock.now = T0.plusSeconds(29);
        assertTrue(tokens.find("token-a").isPresent());
        clock.now = T0.plusSeconds(30);
        assertFalse(tokens.find("token-a").isPresent(), "at exp the token is verified again (and refused)");
        assertEquals(0, tokens.size(), "and forgotten");
    }

    @Test
    void aTokenServesForTheReuseTimeAtMostThoughItLivesLonger() {
        tokens.keep("token-a", verified("alice", T0.plusSeconds(3600), "consent-manager"));
        clock.now = T0.plusSeconds(59);
        assertTrue(tokens.find("token-a").isPresent());
        clock.now = T0.plusSeconds(60);
        assertFalse(tokens.find("token-a").isPresent(), "verified again after the reuse time");
    }

    @Test
    void nothingOfTheVerifyingRequestIsKept() {
        var builder = QuarkusSecurityIdentity.builder(verified("alice", T0.plusSeconds(300), "consent-manager"));
        builder.addAttribute(RoutingContext.class.getName(), "the first request's context");
        builder.addAttribute(AuthenticationRequestContext.class.getName(), "the first request's executor");
        builder.addAttribute("tenant-id", "Default");
        tokens.keep("token-a", builder.build());

        var kept = tokens.find("token-a").orElseThrow();
        assertEquals(Map.of("tenant-id", "Default"), kept.attributes());
        SecurityIdentity later = kept.identity(null, null);
        assertNull(later.getAttribute(RoutingContext.class.getName()));
        AuthenticationRequestContext executor = supplier -> Uni.createFrom().item(supplier);
        assertSame(executor, kept.identity(null, executor).getAttribute(AuthenticationRequestContext.class.getName()),
                "the later request's own executor");
    }

    @Test
    void onlySignedTokensWithAnExpiryAreKeptAndNeverBeyondTheLimit() {
        tokens.keep("no-exp", verified("alice", null, "consent-manager"));
        tokens.keep("expired", verified("alice", T0.minusSeconds(1), "consent-manager"));
        tokens.keep("not-a-jwt", QuarkusSecurityIdentity.builder().setPrincipal(() -> "bob").addRole("x").build());
        assertEquals(0, tokens.size());

        for (String token : new String[] {"t1", "t2", "t3", "t4"}) {
            tokens.keep(token, verified(token, T0.plusSeconds(10), "consent-manager"));
        }
        assertEquals(3, tokens.size(), "the fourth finds no room and is verified on each request");
        assertFalse(tokens.find("t4").isPresent());
        clock.now = T0.plusSeconds(11);
        tokens.keep("t5", verified("t5", T0.plusSeconds(100), "consent-manager"));
        assertEquals(1, tokens.size(), "expired entries make room");
        assertTrue(tokens.find("t5").isPresent());
    }

    @Test
    void aZeroReuseTimeKeepsNothing() {
        var never = new VerifiedTokens(clock, Duration.ZERO, 10);
        assertFalse(never.enabled());
        never.keep("token-a", verified("alice", T0.plusSeconds(300), "consent-manager"));
        assertFalse(never.find("token-a").isPresent());
    }

    private static SecurityIdentity verified(String subject, Instant expires, String role) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new Jwt(subject, expires)).addRole(role)
                .addPermissionAsString("consent:read").build();
    }

    /** A verified token's principal as far as the store reads it. */
    private record Jwt(String subject, Instant expires) implements JsonWebToken {
        @Override
        public String getName() {
            return subject;
        }

        @Override
        public Set<String> getClaimNames() {
            return expires == null ? Set.of("sub") : Set.of("sub", "exp");
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getClaim(String name) {
            return switch (name) {
                case "sub" -> (T) subject;
                case "exp" -> expires == null ? null : (T) Long.valueOf(expires.getEpochSecond());
                default -> null;
            };
        }
    }

    private static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
