package org.photobridge.fhir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;

class StoredAttachmentHashTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String HASH = sha1("%PDF-1.4 signed photography consent");

    /** Parsed the way the gateway reads a stored Consent: the hash split off and put back as it was written. */
    private static Consent read(String json) {
        var split = StoredAttachmentHash.split(json);
        Consent consent = FHIR.newJsonParser().parseResource(Consent.class, split.json());
        split.hash().ifPresent(h -> consent.getSourceAttachment().setHashElement(new StoredBase64(h)));
        return consent;
    }

    private static String encoded(Consent consent) {
        return FHIR.newJsonParser().encodeResourceToString(consent);
    }

    private static String plain(String json) {
        return encoded(FHIR.newJsonParser().parseResource(Consent.class, json));
    }

    @Test
    void aConsentWithItsFormHashReadsAndEncodesExactlyAsHapisOwnParse() {
        String json = """
                {"resourceType":"Consent","id":"c1","meta":{"versionId":"2"},"status":"active",
                 "extension":[{"url":"http://example.org/weight","valueDecimal":1.50},
                              {"url":"http://example.org/count","valueInteger":12}],
                 "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
                 "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
                 "patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"MRN-\\u00e9\\"q\\""}},
                 "dateTime":"2026-01-01T00:00:00Z",
                 "sourceAttachment":{"extension":[{"url":"http://photobridge.org/fhir/StructureDefinition/attachment-sha256","valueString":"abc"}],
                   "contentType":"application/pdf","hash":"%s","title":"Signed photography consent"},
                 "provision":{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"TREAT"}]}}
                """.formatted(HASH);

        var split = StoredAttachmentHash.split(json);
        assertEquals(HASH, split.hash().orElseThrow());
        assertFalse(split.json().contains("\"hash\""), "the hash is out of the JSON HAPI parses");
        assertTrue(split.json().contains("1.50"), "a decimal keeps the form it was written in");

        Consent consent = read(json);
        assertEquals(plain(json), encoded(consent));
        assertArrayEquals(Base64.getDecoder().decode(HASH), consent.getSourceAttachment().getHash(),
                "the hash's bytes are there for whoever asks for them");
    }

    @Test
    void hashesElsewhereAndHashesWithExtensionsAreLeftToHapi() {
        String contained = """
                {"resourceType":"Consent","status":"active",
                 "contained":[{"resourceType":"DocumentReference","id":"d","status":"current",
                   "content":[{"attachment":{"contentType":"application/pdf","hash":"%s"}}]}],
                 "sourceReference":{"reference":"#d"}}
                """.formatted(HASH);
        assertTrue(StoredAttachmentHash.split(contained).hash().isEmpty(), "only Consent.sourceAttachment.hash is split off");
        assertEquals(plain(contained), encoded(read(contained)));

        String extended = """
                {"resourceType":"Consent","status":"active",
                 "sourceAttachment":{"contentType":"application/pdf","hash":"%s",
                   "_hash":{"extension":[{"url":"http://example.org/note","valueString":"x"}]}}}
                """.formatted(HASH);
        assertSame(extended, StoredAttachmentHash.split(extended).json(), "a hash with extensions is parsed by HAPI");
        assertEquals(plain(extended), encoded(read(extended)));
    }

    @Test
    void jsonWithoutAHashOrNotJsonAtAllIsHandedOnUntouched() {
        String none = "{\"resourceType\":\"Consent\",\"status\":\"active\"}";
        assertSame(none, StoredAttachmentHash.split(none).json());
        String broken = "{\"resourceType\":\"Consent\",\"sourceAttachment\":{\"hash\":\"" + HASH + "\"";
        var split = StoredAttachmentHash.split(broken);
        assertSame(broken, split.json(), "HAPI, not this, reports what is wrong with a JSON");
        assertTrue(split.hash().isEmpty());
    }

    private static String sha1(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
