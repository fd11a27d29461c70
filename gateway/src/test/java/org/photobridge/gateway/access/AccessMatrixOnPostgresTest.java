package org.photobridge.gateway.access;

import org.junit.jupiter.api.TestInstance;
import org.photobridge.gateway.testing.PostgresConsentProfile;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The same access matrix with the gateway on PostgreSQL (queries behind the policy differ per database). */
@QuarkusTest
@TestProfile(PostgresConsentProfile.class)
@QuarkusTestResource(TestStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixOnPostgresTest extends AccessMatrixTest {
}
