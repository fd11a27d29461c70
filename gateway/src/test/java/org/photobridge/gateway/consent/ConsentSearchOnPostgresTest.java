package org.photobridge.gateway.consent;

import org.photobridge.gateway.testing.PostgresConsentProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The same consent search specification on PostgreSQL. */
@QuarkusTest
@TestProfile(PostgresConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class ConsentSearchOnPostgresTest extends ConsentSearchOnDatabaseTest {
}
