package org.photobridge.gateway.web;

import static io.restassured.RestAssured.given;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;

import io.restassured.response.Response;

/** Test data the browser scenarios start from, made through the gateway's own doors with real tokens. */
final class WebTestData {
    static final String PATIENT_SYSTEM = ConsentFixtures.PATIENT_SYSTEM;
    static final String ENCOUNTER_SYSTEM = "urn:oid:1.2.3.4.6";
    static final String FHIR_JSON = "application/fhir+json";

    record Photo(String id, String study, String series, String sop) {
    }

    private WebTestData() {
    }

    static void clinicalCareConsent(String user, String mrn) {
        given().auth().oauth2(Keycloak.token(user)).contentType(FHIR_JSON).accept(FHIR_JSON)
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);
    }

    /**
     * A portrait photo, different for each {@code index} (the gateway treats the same bytes for the
     * same encounter as one photo), with a dark block in its top-left corner so "upright" can be seen.
     */
    static byte[] photo(int index) {
        var image = new BufferedImage(480, 640, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.getHSBColor(index * 0.17f, 0.35f, 0.95f));
        g.fillRect(0, 0, 480, 640);
        g.setColor(new Color(20, 20, 60));
        g.fillRect(0, 0, 160, 120);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 72));
        g.drawString("View " + (index + 1), 80, 400);
        g.dispose();
        return TestImages.jpeg(image);
    }

    static List<String> photoFiles(Path dir, int count, int offset) throws Exception {
        Files.createDirectories(dir);
        var files = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve("view-" + (offset + i) + ".jpg");
            Files.write(file, photo(offset + i));
            files.add(file.toAbsolutePath().toString());
        }
        return files;
    }

    static Photo upload(String user, String mrn, String encounter, String department, String view, int image) {
        String metadata = """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "%s", "value": "%s"}},
                 "department": "%s", "accessTags": ["%s"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "B", "view": "%s"}""".formatted(PATIENT_SYSTEM, mrn, ENCOUNTER_SYSTEM, encounter,
                department, department, view);
        Response accepted = given().auth().oauth2(Keycloak.token(user))
                .multiPart("file", "photo.jpg", photo(image), "image/jpeg")
                .multiPart("metadata", metadata, "application/json")
                .post("/api/v1/photos");
        accepted.then().statusCode(202);
        return new Photo(accepted.path("id"), accepted.path("studyInstanceUid"), accepted.path("seriesInstanceUid"),
                accepted.path("sopInstanceUid"));
    }
}
