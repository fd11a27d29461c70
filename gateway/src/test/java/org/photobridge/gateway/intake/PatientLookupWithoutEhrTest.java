package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Without an EHR the lookup answers from what the gateway holds, and says so. */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class PatientLookupWithoutEhrTest {

    @Test
    void answersFromTheGatewayAndSaysSo() {
        String mrn = "MRN-GW-" + UUID.randomUUID();
        Response unknown = PatientLookupTest.lookup("plastics.surgeon", mrn);
        unknown.then().statusCode(200);
        assertEquals("gateway", unknown.path("source"));
        assertEquals(false, unknown.path("found"));
        assertTrue(((String) unknown.path("notice")).startsWith("no EHR is configured"), unknown.asString());

        PatientLookupTest.upload("plastics.surgeon", "plastic-surgery", mrn, "ENC-GW");
        Response known = PatientLookupTest.lookup("plastics.surgeon", mrn);
        assertEquals(true, known.path("found"));
        org.junit.jupiter.api.Assertions.assertNull(known.path("name"), "the gateway keeps no names outside the encrypted photos");
        assertEquals(List.of("ENC-GW"), known.jsonPath().getList("encounters.identifier.value"));
        assertTrue(!known.asString().contains("Doe"), "nothing from inside the photo");
    }
}
