package org.photobridge.gateway.intake;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.gateway.dicom.PhotoInstance.Code;
import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.PhotoInstance.Patient;
import org.photobridge.gateway.problem.ProblemException;

/**
 * Reads and validates the {@code metadata} part of an upload field by field. Every failure names
 * the field and the rule; no message repeats a submitted value, since values are patient data.
 */
public class MetadataParser {
    public static final String SNOMED = "http://snomed.info/sct";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern OID_URN = Pattern.compile("urn:oid:[0-2](\\.(0|[1-9][0-9]*))+");
    private static final Pattern URI_LIKE = Pattern.compile("(https?://[^\\s]+|urn:[a-zA-Z0-9][a-zA-Z0-9-]*:[^\\s]+)");
    private static final Pattern SCTID = Pattern.compile("[1-9][0-9]{5,17}");
    private static final Set<String> TOP_LEVEL = Set.of("patient", "encounter", "department", "accessTags",
            "bodySite", "laterality", "view", "protocol", "takenAt", "device");
    private static final Set<String> LATERALITY = Set.of("L", "R", "B", "U");
    private static final Set<String> SEX = Set.of("F", "M", "O", "U");
    private static final int MAX_TAGS = 16;

    private final ObjectMapper json;
    private final Predicate<String> knownView;
    private final Predicate<String> knownProtocol;
    private final String viewList;
    private final String protocolList;
    private final Clock clock;

    public MetadataParser(ObjectMapper json, Predicate<String> knownView, String viewList,
            Predicate<String> knownProtocol, String protocolList, Clock clock) {
        this.json = json;
        this.knownView = knownView;
        this.viewList = viewList;
        this.knownProtocol = knownProtocol;
        this.protocolList = protocolList;
        this.clock = clock;
    }

    public PhotoRequest parse(String metadata) {
        if (metadata == null || metadata.isBlank()) {
            throw ProblemException.badRequest("metadata", "the multipart part 'metadata' (JSON) is required");
        }
        JsonNode root;
        try {
            root = json.readTree(metadata);
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            throw ProblemException.badRequest("metadata", "the 'metadata' part is not valid JSON"
                    + (location == null ? "" : " (line " + location.getLineNr() + ", column "
                            + location.getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.badRequest("metadata", "the 'metadata' part must be a JSON object");
        }
        rejectUnknown(root, TOP_LEVEL, "");

        JsonNode patientNode = object(root, "patient", true);
        rejectUnknown(patientNode, Set.of("identifier", "name", "birthDate", "sex"), "patient.");
        Identifier patientId = identifier(patientNode, "patient.identifier", 64);
        Optional<String> name = optionalText(patientNode, "name", "patient.name", 320).map(n -> personName(n));
        Optional<String> birthDate = optionalText(patientNode, "birthDate", "patient.birthDate", 10)
                .map(this::birthDate);
        Optional<String> sex = optionalText(patientNode, "sex", "patient.sex", 1).map(s -> {
            if (!SEX.contains(s)) {
                throw ProblemException.badRequest("patient.sex", "patient.sex must be one of F, M, O, U");
            }
            return s;
        });

        JsonNode encounterNode = object(root, "encounter", true);
        rejectUnknown(encounterNode, Set.of("identifier"), "encounter.");
        Identifier encounter = identifier(encounterNode, "encounter.identifier", 64);

        String department = slug(requiredText(root, "department", "department", 64), "department");
        List<String> accessTags = accessTags(root);

        JsonNode site = object(root, "bodySite", true);
        rejectUnknown(site, Set.of("system", "code", "display"), "bodySite.");
        String siteSystem = requiredText(site, "system", "bodySite.system", 255);
        if (!SNOMED.equals(siteSystem)) {
            throw ProblemException.badRequest("bodySite.system", "bodySite.system must be " + SNOMED);
        }
        String siteCode = requiredText(site, "code", "bodySite.code", 18);
        if (!SCTID.matcher(siteCode).matches() || !Verhoeff.isValid(siteCode)) {
            throw ProblemException.badRequest("bodySite.code",
                    "bodySite.code must be a SNOMED CT concept id (6 to 18 digits with a valid check digit)");
        }
        String siteDisplay = optionalText(site, "display", "bodySite.display", 64).map(d -> dicomText(d,
                "bodySite.display")).orElse(null);

        String laterality = requiredText(root, "laterality", "laterality", 1);
        if (!LATERALITY.contains(laterality)) {
            throw ProblemException.badRequest("laterality", "laterality must be one of L, R, B (both), U (unpaired)");
        }
        Optional<String> view = optionalText(root, "view", "view", 64).map(v -> {
            if (!knownView.test(v)) {
                throw ProblemException.badRequest("view", "view is not in the view vocabulary; accepted: " + viewList);
            }
            return v;
        });
        Optional<String> protocol = optionalText(root, "protocol", "protocol", 64).map(p -> {
            if (!knownProtocol.test(p)) {
                throw ProblemException.badRequest("protocol",
                        "protocol is not in the protocol vocabulary; accepted: " + protocolList);
            }
            return p;
        });
        Optional<Instant> takenAt = optionalText(root, "takenAt", "takenAt", 64).map(this::takenAt);

        Optional<String> manufacturer = Optional.empty();
        Optional<String> model = Optional.empty();
        JsonNode device = object(root, "device", false);
        if (device != null) {
            rejectUnknown(device, Set.of("manufacturer", "model"), "device.");
            manufacturer = optionalText(device, "manufacturer", "device.manufacturer", 64)
                    .map(m -> dicomText(m, "device.manufacturer"));
            model = optionalText(device, "model", "device.model", 64).map(m -> dicomText(m, "device.model"));
        }
        return new PhotoRequest(new Patient(patientId, name, birthDate, sex), encounter, department, accessTags,
                new Code(SNOMED, siteCode, siteDisplay), laterality, view, protocol, takenAt, manufacturer, model);
    }

    private List<String> accessTags(JsonNode root) {
        JsonNode tags = root.get("accessTags");
        if (tags == null || tags.isNull()) {
            throw ProblemException.badRequest("accessTags", "accessTags is required (a non-empty array of departments)");
        }
        if (!tags.isArray() || tags.isEmpty()) {
            throw ProblemException.badRequest("accessTags", "accessTags must be a non-empty array of departments");
        }
        if (tags.size() > MAX_TAGS) {
            throw ProblemException.badRequest("accessTags", "accessTags may hold at most " + MAX_TAGS + " entries");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            JsonNode tag = tags.get(i);
            String field = "accessTags[" + i + "]";
            if (!tag.isTextual()) {
                throw ProblemException.badRequest(field, field + " must be a string");
            }
            if (!unique.add(slug(tag.asText(), field))) {
                throw ProblemException.badRequest(field, field + " repeats an earlier tag");
            }
        }
        return List.copyOf(unique);
    }

    private Identifier identifier(JsonNode parent, String field, int maxValueLength) {
        JsonNode node = object(parent, "identifier", true, field);
        rejectUnknown(node, Set.of("system", "value"), field + ".");
        String system = requiredText(node, "system", field + ".system", 255);
        if (!OID_URN.matcher(system).matches() && !URI_LIKE.matcher(system).matches()) {
            throw ProblemException.badRequest(field + ".system",
                    field + ".system must be an absolute URI such as urn:oid:1.2.3 or https://...");
        }
        String value = requiredText(node, "value", field + ".value", maxValueLength);
        return new Identifier(system, dicomText(value, field + ".value"));
    }

    private String personName(String name) {
        String[] parts = name.split("\\^", -1);
        if (parts.length > 5) {
            throw ProblemException.badRequest("patient.name",
                    "patient.name must be in DICOM form Family^Given^Middle^Prefix^Suffix (at most 5 parts)");
        }
        for (String part : parts) {
            if (part.length() > 64) {
                throw ProblemException.badRequest("patient.name", "each part of patient.name is limited to 64 characters");
            }
        }
        if (name.replace("^", "").isBlank()) {
            throw ProblemException.badRequest("patient.name", "patient.name has no name in it");
        }
        return dicomText(name, "patient.name");
    }

    private String birthDate(String text) {
        LocalDate date;
        try {
            date = LocalDate.parse(text);
        } catch (DateTimeException e) {
            throw ProblemException.badRequest("patient.birthDate", "patient.birthDate must be a date in the form YYYY-MM-DD");
        }
        LocalDate today = LocalDate.now(clock);
        if (date.isAfter(today) || date.isBefore(today.minusYears(150))) {
            throw ProblemException.badRequest("patient.birthDate",
                    "patient.birthDate must not be in the future or more than 150 years ago");
        }
        return date.toString();
    }

    private Instant takenAt(String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw ProblemException.badRequest("takenAt",
                    "takenAt must be an ISO 8601 date-time with offset, such as 2026-11-20T10:11:12Z");
        }
        if (instant.isAfter(clock.instant().plus(Duration.ofMinutes(10)))) {
            throw ProblemException.badRequest("takenAt", "takenAt must not be in the future");
        }
        return instant;
    }

    private static String slug(String value, String field) {
        if (!SLUG.matcher(value).matches()) {
            throw ProblemException.badRequest(field,
                    field + " must be a department name: lower-case letters, digits and '-', at most 64 characters");
        }
        return value;
    }

    /** DICOM LO/PN values may not contain backslash (the value separator) or control characters. */
    private static String dicomText(String value, String field) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || Character.isISOControl(c)) {
                throw ProblemException.badRequest(field, field + " must not contain backslashes or control characters");
            }
        }
        if (value.isBlank()) {
            throw ProblemException.badRequest(field, field + " must not be blank");
        }
        return value.strip();
    }

    private static JsonNode object(JsonNode parent, String name, boolean required) {
        return object(parent, name, required, name);
    }

    private static JsonNode object(JsonNode parent, String name, boolean required, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw ProblemException.badRequest(field, field + " is required");
            }
            return null;
        }
        if (!node.isObject()) {
            throw ProblemException.badRequest(field, field + " must be a JSON object");
        }
        return node;
    }

    private static String requiredText(JsonNode parent, String name, String field, int maxLength) {
        return optionalText(parent, name, field, maxLength)
                .orElseThrow(() -> ProblemException.badRequest(field, field + " is required"));
    }

    private static Optional<String> optionalText(JsonNode parent, String name, String field, int maxLength) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest(field, field + " must be a string");
        }
        String text = node.asText();
        if (text.isBlank()) {
            throw ProblemException.badRequest(field, field + " must not be empty");
        }
        if (text.length() > maxLength) {
            throw ProblemException.badRequest(field, field + " is longer than " + maxLength + " characters");
        }
        return Optional.of(text);
    }

    private static void rejectUnknown(JsonNode node, Set<String> allowed, String prefix) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                unknown.add(prefix + name);
            }
        }
        if (!unknown.isEmpty()) {
            // Field names come from the client's JSON keys, not values; cap their length anyway.
            String first = unknown.get(0);
            first = first.length() > 64 ? first.substring(0, 64) + "..." : first;
            throw ProblemException.badRequest(first, "unknown field " + first + "; allowed: "
                    + String.join(", ", allowed.stream().sorted().map(a -> prefix + a).toList()));
        }
    }
}
