package org.photobridge.gateway.dicomweb;

import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** {@link DicomWebDoorContract} with the gateway on PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class DicomWebDoorTest extends DicomWebDoorContract {
}
