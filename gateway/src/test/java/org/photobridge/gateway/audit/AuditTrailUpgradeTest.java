package org.photobridge.gateway.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.persistence.AuditEntry;
import org.photobridge.gateway.testing.Keycloak;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A gateway upgraded from V2 keeps the old SHA-256 entries as a legacy segment and continues the chain
 * with keyed entries after them; an edit made before the upgrade is reported at start-up, and the
 * gateway starts all the same.
 */
@QuarkusTest
@TestProfile(LegacyTrailProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTrailUpgradeTest {

    @Inject
    AuditLog audit;

    @Inject
    ChainVerifier verifier;

    @Inject
    AuditConfig config;

    Tampering tampering() {
        return new PostgresTampering();
    }

    @Test
    @Order(1)
    void anEditFoundAtStartUpIsReportedAndTheGatewayStillServes() {
        AuditVerification atStart = audit.lastVerification().orElseThrow();
        assertFalse(atStart.intact());
        assertEquals(Optional.of(LegacyTrail.EDITED), atStart.firstBrokenSequence(), atStart.describe());
        assertEquals(Optional.of(AuditBreak.ENTRY_ALTERED), atStart.reason());
        assertTrue(atStart.full());

        Response response = given().auth().oauth2(Keycloak.token("compliance.officer"))
                .get("/api/v1/audit/verification");
        response.then().statusCode(200).body("intact", equalTo(false)).body("reason", equalTo("ENTRY_ALTERED"));
        assertEquals(LegacyTrail.EDITED, response.jsonPath().getLong("firstBrokenSequence"));
        assertNull(response.path("lastCheckpointSequence"), "a broken trail is never checkpointed");
    }

    @Test
    @Order(1)
    void theKeyFileIsMadePrivateOnFirstStart() throws IOException {
        Path keyFile = config.keyFile().toAbsolutePath();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())));
        String keys = Files.readString(keyFile);
        assertTrue(keys.contains("mac-key=") && keys.contains("signing-key=") && keys.contains("verify-key="));
    }

    @Test
    @Order(2)
    void legacyEntriesVerifyAndKeyedEntriesFollowThem() {
        verifier.exclusively(() -> {
            putBackTheEditedLegacyEntry();
            audit.record(AuditAction.PHOTO_VIEWED, true, AuditTrailSpec.SURGEON, Optional.empty(), List.of(),
                    "after the upgrade");
            AuditVerification result = verifier.verifyAndCheckpoint(true);
            assertTrue(result.intact(), result.describe());
            assertEquals(LegacyTrail.LEGACY_ENTRIES, result.legacyEntries());
            AuditCheckpoint checkpoint = audit.latestCheckpoint().orElseThrow();
            assertEquals(LegacyTrail.LEGACY_ENTRIES, checkpoint.legacyEnd());
            assertEquals(result.headSequence(), checkpoint.sequence());

            List<AuditEntry> entries = tampering().entries(1);
            for (AuditEntry entry : entries) {
                assertEquals(entry.sequence <= LegacyTrail.LEGACY_ENTRIES ? "sha256" : "hmac-sha256-v1", entry.scheme,
                        "scheme of entry " + entry.sequence);
            }
            assertEquals(entries.get(LegacyTrail.LEGACY_ENTRIES - 1).hash,
                    entries.get(LegacyTrail.LEGACY_ENTRIES).previousHash, "the keyed chain continues the legacy one");
            return null;
        });
    }

    private void putBackTheEditedLegacyEntry() {
        tampering().tamper(c -> {
            try (var update = c.prepareStatement("update audit_entry set detail = ? where sequence = ?")) {
                update.setString(1, LegacyTrail.ORIGINAL_DETAIL);
                update.setLong(2, LegacyTrail.EDITED);
                update.executeUpdate();
            }
        });
    }

    /** Keyed entries recomputed as legacy ones (no key needed): the checkpoint knows where legacy ended. */
    @Test
    @Order(3)
    void keyedEntriesRewrittenAsLegacyOnesAreFound() {
        attack(() -> tampering().rechain(LegacyTrail.LEGACY_ENTRIES + 1,
                e -> e.scheme = ChainScheme.LEGACY_SHA256.column, ChainScheme::legacyHash),
                LegacyTrail.LEGACY_ENTRIES + 1, AuditBreak.LEGACY_BOUNDARY_MOVED);
    }

    /**
     * A legacy entry edited and the legacy segment recomputed (possible without the key): the first keyed
     * entry no longer links to it. The legacy scheme cannot say which legacy entry changed.
     */
    @Test
    @Order(3)
    void legacyEntriesRechainedAfterTheUpgradeAreFoundAtTheFirstKeyedEntry() {
        attack(() -> tampering().rechainOnly(LegacyTrail.EDITED, LegacyTrail.LEGACY_ENTRIES,
                e -> AuditTrailSpec.editDetail(e, LegacyTrail.EDITED), ChainScheme::legacyHash),
                LegacyTrail.LEGACY_ENTRIES + 1, AuditBreak.LINK_BROKEN);
    }

    @Test
    @Order(4)
    void checkpointsFollowTheHeadOnASchedule() throws InterruptedException {
        long written = audit.record(AuditAction.PHOTO_VIEWED, true, AuditTrailSpec.SURGEON, Optional.empty(),
                List.of(), "after the upgrade").sequence();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (audit.latestCheckpoint().map(c -> c.sequence() < written).orElse(true)
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(audit.latestCheckpoint().orElseThrow().sequence() >= written,
                "no checkpoint within 30 s although one is due every 2 s");
    }

    private void attack(Runnable tamper, long firstBroken, AuditBreak reason) {
        verifier.exclusively(() -> {
            assertTrue(verifier.verifyAndCheckpoint(false).intact());
            TrailSnapshot snapshot = TrailSnapshot.from(tampering(), 1);
            try {
                tamper.run();
                AuditVerification result = audit.verify();
                assertFalse(result.intact());
                assertEquals(Optional.of(reason), result.reason(), result.describe());
                assertEquals(Optional.of(firstBroken), result.firstBrokenSequence(), result.describe());
            } finally {
                snapshot.restore();
            }
            assertTrue(audit.verify().intact());
            return null;
        });
    }
}
