package org.photobridge.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An EHR viewer: the third-party DICOMweb viewer dwv (npm), served locally by the test, opens a
 * photo through the gateway's /dicomweb door (WADO-RS) in Chromium with the user's token and shows
 * it upright; a user of another department gets nothing to show.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class DwvViewerTest {
    @TestHTTPResource("/")
    URL gateway;

    @BeforeAll
    static void installBrowser() throws Exception {
        Browser.install();
    }

    @Test
    void dwvShowsThePhotoUprightToItsDepartmentAndNothingToAnother() throws Exception {
        String mrn = "WEB-DWV-" + UUID.randomUUID();
        WebTestData.clinicalCareConsent("derm.consultant", mrn);
        var photo = WebTestData.upload("derm.photographer", mrn, "ENC-DWV", "dermatology", "anterior", 70);
        String base = gateway.toString().replace("//localhost:", "//127.0.0.1:");

        JsonNode report = Browser.run(base + "web/", "viewer", Map.of(
                "gateway", base, "study", photo.study(), "series", photo.series(), "sop", photo.sop(),
                "permittedToken", Keycloak.token("derm.consultant"), "otherToken", Keycloak.token("plastics.surgeon")));

        JsonNode permitted = report.path("permitted");
        assertTrue(permitted.path("loaded").asBoolean(), "dwv loaded the photo: " + permitted);
        assertEquals(0, permitted.path("errors").size(), permitted.toString());
        assertTrue(permitted.path("topLeft").asInt() < 90, "the dark block is top left: " + permitted);
        for (String corner : new String[] {"topRight", "bottomLeft", "bottomRight"}) {
            assertTrue(permitted.path(corner).asInt() > 150, "upright: " + corner + " is the light background: " + permitted);
        }
        JsonNode other = report.path("other");
        assertFalse(other.path("loaded").asBoolean(), "another department's user sees nothing: " + other);
    }
}
