package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;
import org.photobridge.gateway.testing.WarnPolicyProfile;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** Under capture policy warn, a photo without consent is accepted but flagged, and still not served. */
@QuarkusTest
@TestProfile(WarnPolicyProfile.class)
@QuarkusTestResource(TestStack.class)
class CapturePolicyWarnTest {

    private static Response upload(String mrn, byte[] jpeg) {
        String metadata = """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-WARN"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008"}, "laterality": "R"}"""
                .formatted(mrn);
        return given().auth().oauth2(Keycloak.token("plastics.surgeon")).multiPart("file", "w.jpg", jpeg, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
    }

    @Test
    void photoWithoutConsentIsAcceptedFlaggedAndNotServed() {
        String mrn = "MRN-W-" + UUID.randomUUID();
        Response flagged = upload(mrn, TestImages.jpeg(TestImages.scene()));
        flagged.then().statusCode(202).body("consentWarning", equalTo(true));
        given().auth().oauth2(Keycloak.token("plastics.surgeon"))
                .get("/api/v1/photos/" + flagged.path("id") + "/thumbnail").then().statusCode(403)
                .body("type", equalTo("urn:photobridge:problem:consent-not-given"));

        Fhir.create("plastics.surgeon", ConsentFixtures.clinicalCareOnly(mrn)).then().statusCode(201);
        upload(mrn, TestImages.jpeg(TestImages.grayScene())).then().statusCode(202)
                .body("consentWarning", nullValue());
    }
}
