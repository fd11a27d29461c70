package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.photobridge.gateway.problem.ProblemException;

class MetadataParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MetadataParser parser = new MetadataParser(JSON, Set.of("left-oblique-45", "anterior")::contains,
            "anterior, left-oblique-45", Set.of("breast-5-view")::contains, "breast-5-view",
            Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));

    private static ObjectNode valid() throws Exception {
        return (ObjectNode) JSON.readTree(Uploads.metadata("MRN-0042", "ENC-2026-118"));
    }

    private ProblemException reject(String json) {
        return assertThrows(ProblemException.class, () -> parser.parse(json));
    }

    @Test
    void acceptsTheDesignExample() throws Exception {
        PhotoRequest request = parser.parse(valid().toString());
        assertEquals("MRN-0042", request.patient().identifier().value());
        assertEquals("76752008", request.bodySite().code());
        assertEquals(Set.of("plastic-surgery"), request.requiredDepartments());
        assertEquals("L", request.laterality());
        assertEquals(Instant.parse("2026-11-20T10:11:12Z"), request.takenAt().orElseThrow());
    }

    @ParameterizedTest(name = "{0} = {1} is rejected")
    @CsvSource(delimiter = ';', value = {
        "/patient/identifier/value;''",
        "/patient/birthDate;1980-02-30",
        "/patient/birthDate;2030-01-01",
        "/patient/sex;X",
        "/patient/identifier/system;not a uri",
        "/encounter/identifier/value;''",
        "/department;Plastic Surgery",
        "/bodySite/code;76752009",
        "/bodySite/system;http://loinc.org",
        "/laterality;left",
        "/view;upside-down",
        "/protocol;selfie",
        "/takenAt;yesterday",
        "/takenAt;2030-01-01T00:00:00Z",
        "/patient/name;Doe\\\\Jane"})
    void rejectsMalformedFieldAndNamesIt(String pointer, String value) throws Exception {
        ObjectNode root = valid();
        String parent = pointer.substring(0, pointer.lastIndexOf('/'));
        String name = pointer.substring(pointer.lastIndexOf('/') + 1);
        ((ObjectNode) (parent.isEmpty() ? root : root.at(parent))).put(name, value);
        ProblemException e = reject(root.toString());
        String field = pointer.substring(1).replace('/', '.');
        assertEquals(400, e.problem().status());
        assertEquals(field, e.problem().field());
        assertTrue(e.problem().detail().contains(field), e.problem().detail());
        if (!value.isEmpty()) {
            assertFalse(e.problem().detail().contains(value), "detail must not echo the value: " + e.problem().detail());
        }
    }

    @Test
    void rejectsMissingRequiredParts() throws Exception {
        for (String field : new String[] {"patient", "encounter", "department", "accessTags", "bodySite", "laterality"}) {
            ObjectNode root = valid();
            root.remove(field);
            assertEquals(field, reject(root.toString()).problem().field());
        }
    }

    @Test
    void rejectsUnknownFieldsSoTyposAreNotSilentlyDropped() throws Exception {
        ObjectNode root = valid();
        root.put("bodysite", "breast");
        ProblemException e = reject(root.toString());
        assertEquals("bodysite", e.problem().field());
    }

    @Test
    void rejectsInvalidJsonWithItsPosition() {
        ProblemException e = reject("{\"patient\": ");
        assertEquals("metadata", e.problem().field());
        assertTrue(e.problem().detail().contains("not valid JSON"));
    }

    @Test
    void rejectsEmptyAndDuplicateAccessTags() throws Exception {
        ObjectNode root = valid();
        root.putArray("accessTags");
        assertEquals("accessTags", reject(root.toString()).problem().field());
        root.putArray("accessTags").add("dermatology").add("dermatology");
        assertEquals("accessTags[1]", reject(root.toString()).problem().field());
    }

    @Test
    void snomedCheckDigitIsVerified() {
        assertTrue(Verhoeff.isValid("76752008"));
        assertTrue(Verhoeff.isValid("80248007"));
        assertFalse(Verhoeff.isValid("76752007"));
    }
}
