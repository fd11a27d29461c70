package org.photobridge.gateway.dicomweb;

import static io.restassured.RestAssured.given;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;

import org.hl7.fhir.r4.model.Consent;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;

import io.restassured.response.Response;

/**
 * Test data for the DICOMweb door, made through the gateway's own doors with real tokens: a
 * patient's clinical-care consent, a dermatology photo delivered to the PACS, and withdrawal.
 */
final class ViewerPhotos {
    static final String PATIENT_SYSTEM = ConsentFixtures.PATIENT_SYSTEM;
    static final String PHOTOGRAPHER = "derm.photographer";
    static final String CONSULTANT = "derm.consultant";
    static final String SURGEON = "plastics.surgeon";
    static final String NURSE = "wound.nurse";
    static final String OFFICER = "compliance.officer";
    static final String ADMIN = "gateway.admin";
    static final String FHIR_JSON = "application/fhir+json";

    /** A photo as the upload answered it. */
    record Photo(String id, String mrn, String study, String series, String sop) {
        String instancePath() {
            return "/dicomweb/studies/" + study + "/series/" + series + "/instances/" + sop;
        }
    }

    private ViewerPhotos() {
    }

    /** Records a clinical-care consent for the patient as {@code user}; its id. */
    static String recordClinicalCareConsent(String user, String mrn) {
        Response created = given().auth().oauth2(Keycloak.token(user)).contentType(FHIR_JSON).accept(FHIR_JSON)
                .body(json(ConsentFixtures.clinicalCareOnly(mrn))).post("/fhir/Consent");
        created.then().statusCode(201);
        String location = created.header("Location");
        String path = location.substring(location.indexOf("/Consent/") + "/Consent/".length());
        return path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
    }

    /** Sets the patient's consent inactive (withdrawal of everything) as {@code user}. */
    static void withdrawConsent(String user, String consentId, String mrn) {
        Consent withdrawn = ConsentFixtures.clinicalCareOnly(mrn);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        withdrawn.setId(consentId);
        given().auth().oauth2(Keycloak.token(user)).contentType(FHIR_JSON).accept(FHIR_JSON).body(json(withdrawn))
                .put("/fhir/Consent/" + consentId).then().statusCode(200);
    }

    /** Uploads a dermatology photo of the patient as the dermatology photographer. */
    static Photo uploadDermatologyPhoto(String mrn) {
        return uploadDermatologyPhoto(mrn, TestImages.jpeg(TestImages.scene()));
    }

    /** Uploads {@code jpeg} as a dermatology photo of the patient, as the dermatology photographer. */
    static Photo uploadDermatologyPhoto(String mrn, byte[] jpeg) {
        String metadata = """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}, "name": "Doe^Jane",
                             "birthDate": "1980-01-31", "sex": "F"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-DICOMWEB"}},
                 "department": "dermatology", "accessTags": ["dermatology"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(PATIENT_SYSTEM, mrn);
        Response accepted = given().auth().oauth2(Keycloak.token(PHOTOGRAPHER))
                .multiPart("file", "p.jpg", jpeg, "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        accepted.then().statusCode(202);
        return new Photo(accepted.path("id"), mrn, accepted.path("studyInstanceUid"),
                accepted.path("seriesInstanceUid"), accepted.path("sopInstanceUid"));
    }

    /**
     * Waits until every PACS confirmed the photo and the gateway purged its own copy, so the door
     * can only serve it from the PACS.
     */
    static void awaitStoredInPacsOnly(Photo photo) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        Map<String, Object> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = given().auth().oauth2(Keycloak.token(PHOTOGRAPHER)).get("/api/v1/photos/" + photo.id()).then()
                    .statusCode(200).extract().jsonPath().getMap("$");
            if ("STORED".equals(last.get("status")) && Boolean.TRUE.equals(last.get("bytesPurged"))) {
                return;
            }
            sleep(300);
        }
        throw new AssertionError("the photo was not stored and purged in time; last status " + last);
    }

    /** The parts of a multipart/related body: their headers (lower-case names) and content. */
    record Part(String contentType, byte[] content) {
        AttributeList dicom() throws IOException, DicomException {
            var list = new AttributeList();
            list.setDecompressPixelData(false);
            list.read(new DicomInputStream(new ByteArrayInputStream(content)));
            return list;
        }
    }

    /** Splits a multipart/related body by the boundary its Content-Type names (RFC 2046). */
    static List<Part> multipart(String contentType, byte[] body) {
        Matcher boundary = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        if (!boundary.find()) {
            throw new AssertionError("no boundary in " + contentType);
        }
        byte[] delimiter = ("\r\n--" + boundary.group(1)).getBytes(StandardCharsets.US_ASCII);
        // The first delimiter may start the body without the CRLF before it.
        byte[] framed = new byte[body.length + 2];
        framed[0] = '\r';
        framed[1] = '\n';
        System.arraycopy(body, 0, framed, 2, body.length);
        var parts = new ArrayList<Part>();
        int at = indexOf(framed, delimiter, 0);
        while (at >= 0) {
            int afterDelimiter = at + delimiter.length;
            if (framed[afterDelimiter] == '-' && framed[afterDelimiter + 1] == '-') {
                return parts;
            }
            int headersEnd = indexOf(framed, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), afterDelimiter);
            String headers = new String(framed, afterDelimiter, headersEnd - afterDelimiter, StandardCharsets.ISO_8859_1);
            int next = indexOf(framed, delimiter, headersEnd + 4);
            if (next < 0) {
                throw new AssertionError("unterminated part");
            }
            Matcher type = Pattern.compile("(?im)^content-type:\\s*(.+)$").matcher(headers);
            parts.add(new Part(type.find() ? type.group(1).strip() : null,
                    java.util.Arrays.copyOfRange(framed, headersEnd + 4, next)));
            at = next;
        }
        throw new AssertionError("no closing delimiter");
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String json(Consent consent) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
