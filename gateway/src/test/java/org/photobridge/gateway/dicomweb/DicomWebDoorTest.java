package org.photobridge.gateway.dicomweb;

import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link DicomWebDoorContract} with the gateway on PostgreSQL. */
@QuarkusTest
@TestProfile(DicomWebProfile.class)
@QuarkusTestResource(TestStack.class)
class DicomWebDoorTest extends DicomWebDoorContract {
}
