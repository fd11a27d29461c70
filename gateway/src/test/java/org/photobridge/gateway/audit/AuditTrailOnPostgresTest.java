package org.photobridge.gateway.audit;

import org.photobridge.gateway.testing.PostgresProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The audit trail's tamper evidence on PostgreSQL, tampered with as the superuser who disables the
 * append-only triggers. Shares the PostgreSQL gateway of PostgresPersistenceTest (one start fewer).
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
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
}
