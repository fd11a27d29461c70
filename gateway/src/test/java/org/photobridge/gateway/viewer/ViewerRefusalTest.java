package org.photobridge.gateway.viewer;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.problem.Problem;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * What the photo viewer's door answers when it serves nothing: one problem body, byte for byte the
 * same, whether the photo does not exist, the id is not one, or the caller may not see the photo (a
 * refusal never confirms that a photo exists).
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class ViewerRefusalTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String DERM = "derm.photographer";
    private static final Map<String, Object> NOT_FOUND = Map.of("type", "urn:photobridge:problem:not-found",
            "title", "Not found", "status", 404, "detail", "no photo with this id");
    private static final List<String> VIEWS = List.of("thumbnail", "rendered", "export?purpose=teaching");

    private static Response view(String user, String id, String what) {
        return given().auth().oauth2(Keycloak.token(user)).get("/api/v1/photos/" + id + "/" + what);
    }

    private static void assertNotFound(Response response, String what) {
        assertEquals(404, response.statusCode(), what + ": " + response.asString());
        assertEquals("application/problem+json", response.contentType(), what);
        assertEquals(NOT_FOUND, response.jsonPath().getMap("$"), what);
    }

    @Test
    void unknownPhotoIsNotFound() {
        String id = UUID.randomUUID().toString();
        for (String what : VIEWS) {
            assertNotFound(view(SURGEON, id, what), what);
        }
    }

    @Test
    void idThatIsNoUuidIsNotFound() {
        for (String what : VIEWS) {
            assertNotFound(view(SURGEON, "not-a-photo-id", what), what);
        }
    }

    @Test
    void photoOfAnotherDepartmentIsNotFoundAsIfItDidNotExist() {
        String metadata = """
                {"patient": {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "MRN-VIEW-%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-VIEW"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L"}""".formatted(UUID.randomUUID());
        String id = given().auth().oauth2(Keycloak.token(SURGEON))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata, "application/json")
                .post("/api/v1/photos").then().statusCode(202).extract().path("id");

        for (String what : VIEWS) {
            assertNotFound(view(DERM, id, what), what);
        }
    }

    @Test
    void unrenderablePhotoIsAnInternalErrorNamingWhatCannotBeRendered() {
        var response = new ViewerResource().unrenderable(
                new UnrenderablePhotoException("transfer syntax 1.2.840.10008.1.2.4.90 is not rendered"));

        assertEquals(500, response.getStatus());
        assertEquals("application/problem+json", response.getMediaType().toString());
        assertEquals(new Problem("urn:photobridge:problem:unrenderable", "Cannot render", 500,
                "transfer syntax 1.2.840.10008.1.2.4.90 is not rendered", null), response.getEntity());
    }
}
