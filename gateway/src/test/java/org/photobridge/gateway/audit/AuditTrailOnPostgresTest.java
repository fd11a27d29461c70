package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The audit trail's tamper evidence on PostgreSQL, tampered with as the superuser who disables the
 * append-only triggers. A gateway of its own ({@link AuditTrailProfile}): no other test writes to its trail.
 */
@QuarkusTest
@TestProfile(AuditTrailProfile.class)
@QuarkusTestResource(TestStack.class)
class AuditTrailOnPostgresTest extends AuditTrailSpec {

    @Override
    Tampering tampering() {
        return new PostgresTampering();
    }

    @Override
    boolean refusesTruncate() {
        return true;
    }

    @Test
    void aCheckpointIsSignedAfterEveryFiveEntries() throws InterruptedException {
        AuditRecord last = write(5).get(4);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (audit.latestCheckpoint().map(c -> c.sequence() < last.sequence()).orElse(true)
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertTrue(audit.latestCheckpoint().orElseThrow().sequence() >= last.sequence(),
                "no checkpoint after 5 entries although the periodic one is an hour away");
    }
}
