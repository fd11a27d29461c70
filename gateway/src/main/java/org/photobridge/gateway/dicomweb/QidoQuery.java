package org.photobridge.gateway.dicomweb;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.TagFromName;

import org.photobridge.gateway.persistence.StudyCatalog;
import org.photobridge.gateway.problem.ProblemException;

/**
 * A QIDO-RS query (PS3.18 10.6) as the gateway answers it: the matching keys it supports (by
 * keyword or 8-hex tag), {@code includefield}, {@code limit} and {@code offset}. Keys it does not
 * support are ignored and named in a Warning header; malformed values of supported keys are 400.
 */
record QidoQuery(Optional<String> patientId, Optional<String> issuerOfPatientId, List<String> studyInstanceUids,
        Optional<LocalDate> studyDateFrom, Optional<LocalDate> studyDateTo, List<String> modalities,
        List<String> seriesInstanceUids, List<String> sopInstanceUids, List<String> sopClassUids,
        Set<AttributeTag> includeFields, boolean includeAll, int limit, int offset, List<String> ignored) {

    /** The most results one answer carries; {@code limit} above it is lowered to it. */
    static final int MAX_RESULTS = 500;

    private static final Pattern HEX_TAG = Pattern.compile("[0-9A-Fa-f]{8}");
    private static final Pattern UID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final DicomDictionary DICTIONARY = DicomDictionary.StandardDictionary;

    /** A study, series or instance UID from a request path; 404 when it is no UID (nothing can match). */
    static String pathUid(String value) {
        if (value == null || value.length() > 64 || !UID.matcher(value).matches()) {
            throw ProblemException.notFound("no such study, series or instance");
        }
        return value;
    }

    /** Whether the query names one patient (an exact Patient ID), or one study (which has one patient). */
    boolean namesPatient() {
        return patientId.isPresent() || studyInstanceUids.size() == 1;
    }

    /** What to look up in the catalog; study dates in the zone the gateway writes Study Date in. */
    StudyCatalog.Criteria criteria(ZoneId zone) {
        var systems = new ArrayList<String>();
        issuerOfPatientId.ifPresent(issuer -> {
            // The reverse of how VlPhotoWriter writes Issuer of Patient ID from the identifier's system.
            systems.add("urn:oid:" + issuer);
            systems.add("urn:uuid:" + issuer);
            systems.add(issuer);
        });
        return new StudyCatalog.Criteria(patientId, systems, studyInstanceUids,
                studyDateFrom.map(d -> d.atStartOfDay(zone).toInstant()),
                studyDateTo.map(d -> d.plusDays(1).atStartOfDay(zone).toInstant()));
    }

    /** Whether a modality matching key (Modality, ModalitiesInStudy) admits the gateway's photos (XC). */
    boolean admitsModality(String modality) {
        return modalities.isEmpty() || modalities.contains(modality);
    }

    /** Whether the answer should carry an attribute that is read from the stored objects. */
    boolean includes(AttributeTag tag) {
        return includeAll || includeFields.contains(tag);
    }

    /** Parses the query parameters; {@code 400 invalid-query} naming the parameter when one is malformed. */
    static QidoQuery parse(Map<String, List<String>> parameters) {
        Optional<String> patientId = Optional.empty();
        Optional<String> issuer = Optional.empty();
        List<String> studies = List.of();
        List<String> series = List.of();
        List<String> instances = List.of();
        List<String> classes = List.of();
        List<String> modalities = List.of();
        Optional<LocalDate> from = Optional.empty();
        Optional<LocalDate> to = Optional.empty();
        var include = new LinkedHashSet<AttributeTag>();
        boolean includeAll = false;
        int limit = MAX_RESULTS;
        int offset = 0;
        var ignored = new TreeSet<String>();
        for (var parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            List<String> values = parameter.getValue();
            switch (name) {
                case "includefield" -> {
                    for (String value : values) {
                        for (String field : value.split(",")) {
                            String trimmed = field.strip();
                            if (trimmed.equalsIgnoreCase("all")) {
                                includeAll = true;
                            } else if (!trimmed.isEmpty()) {
                                include.add(tag(trimmed).orElseThrow(() -> invalid("includefield",
                                        "includefield must name DICOM attributes by keyword or 8-hex tag, or be 'all'")));
                            }
                        }
                    }
                    continue;
                }
                case "limit" -> {
                    limit = Math.min(MAX_RESULTS, number(name, single(name, values), 1));
                    continue;
                }
                case "offset" -> {
                    offset = number(name, single(name, values), 0);
                    continue;
                }
                case "fuzzymatching" -> {
                    if ("true".equalsIgnoreCase(single(name, values))) {
                        ignored.add("fuzzymatching");
                    }
                    continue;
                }
                default -> {
                    // A matching key, below.
                }
            }
            Optional<String> keyword = tag(name).flatMap(QidoQuery::keyword);
            if (keyword.isEmpty()) {
                ignored.add(name.length() > 64 ? name.substring(0, 64) : name);
                continue;
            }
            String value = single(name, values).strip();
            if (value.isEmpty() || value.equals("*")) {
                continue; // universal match
            }
            switch (keyword.get()) {
                case "PatientID" -> {
                    if (value.contains("*") || value.contains("?") || value.contains("\\")) {
                        throw invalid(name, "PatientID must be one exact patient identifier (no wildcards or lists):"
                                + " searching across patients is not offered through DICOMweb");
                    }
                    patientId = Optional.of(value);
                }
                case "IssuerOfPatientID" -> issuer = Optional.of(value);
                case "StudyInstanceUID" -> studies = uids(name, value);
                case "SeriesInstanceUID" -> series = uids(name, value);
                case "SOPInstanceUID" -> instances = uids(name, value);
                case "SOPClassUID" -> classes = uids(name, value);
                case "Modality", "ModalitiesInStudy" -> modalities = List.of(value.split("[\\\\,]"));
                case "StudyDate" -> {
                    var range = dateRange(name, value);
                    from = range[0];
                    to = range[1];
                }
                default -> ignored.add(keyword.get());
            }
        }
        return new QidoQuery(patientId, issuer, studies, from, to, modalities, series, instances, classes,
                Set.copyOf(include), includeAll, limit, offset, List.copyOf(ignored));
    }

    /** A tag given by keyword or as 8 hex digits, if the standard dictionary knows it. */
    static Optional<AttributeTag> tag(String name) {
        if (HEX_TAG.matcher(name).matches()) {
            int value = Integer.parseUnsignedInt(name, 16);
            var tag = new AttributeTag(value >>> 16, value & 0xFFFF);
            return keyword(tag).isEmpty() ? Optional.empty() : Optional.of(tag);
        }
        return Optional.ofNullable(DicomWebTags.BY_KEYWORD.get(name)).or(() -> Optional.ofNullable(
                DICTIONARY.getTagFromName(name)));
    }

    /** The keyword of a tag, if the standard dictionary (or this door) knows it. */
    static Optional<String> keyword(AttributeTag tag) {
        return DicomWebTags.BY_KEYWORD.entrySet().stream().filter(e -> e.getValue().equals(tag))
                .map(Map.Entry::getKey).findFirst()
                .or(() -> Optional.ofNullable(DICTIONARY.getNameFromTag(tag)));
    }

    private static String single(String name, List<String> values) {
        if (values.size() != 1) {
            throw invalid(name, "query parameter '" + name + "' may be given once");
        }
        return values.get(0);
    }

    private static int number(String name, String value, int minimum) {
        try {
            int number = Integer.parseInt(value.strip());
            if (number < minimum) {
                throw invalid(name, name + " must be at least " + minimum);
            }
            return number;
        } catch (NumberFormatException e) {
            throw invalid(name, name + " must be a whole number");
        }
    }

    private static List<String> uids(String name, String value) {
        var uids = new ArrayList<String>();
        for (String uid : value.split("[\\\\,]")) {
            String trimmed = uid.strip();
            if (trimmed.length() > 64 || !UID.matcher(trimmed).matches()) {
                throw invalid(name, name + " must be one or more DICOM UIDs separated by commas");
            }
            uids.add(trimmed);
        }
        return List.copyOf(uids);
    }

    @SuppressWarnings("unchecked")
    private static Optional<LocalDate>[] dateRange(String name, String value) {
        try {
            int dash = value.indexOf('-');
            if (dash < 0) {
                var day = Optional.of(LocalDate.parse(value, DA));
                return new Optional[] {day, day};
            }
            String start = value.substring(0, dash);
            String end = value.substring(dash + 1);
            return new Optional[] {
                start.isEmpty() ? Optional.empty() : Optional.of(LocalDate.parse(start, DA)),
                end.isEmpty() ? Optional.empty() : Optional.of(LocalDate.parse(end, DA))};
        } catch (DateTimeParseException e) {
            throw invalid(name, "StudyDate must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD");
        }
    }

    private static ProblemException invalid(String parameter, String detail) {
        return new ProblemException(400, "invalid-query", "Invalid query", detail,
                parameter.length() > 64 ? parameter.substring(0, 64) : parameter);
    }

    /** Attributes the answers carry only when asked (read from a stored object, not the database). */
    static final Set<AttributeTag> FROM_OBJECTS = Set.of(TagFromName.PatientName, TagFromName.PatientBirthDate,
            TagFromName.PatientSex);
}
