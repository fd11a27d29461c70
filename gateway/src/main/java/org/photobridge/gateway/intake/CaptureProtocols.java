package org.photobridge.gateway.intake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.gateway.dicom.ProtocolVocabulary;
import org.photobridge.gateway.dicom.ViewVocabulary;

/**
 * The capture protocols the capture page offers: checklists of standard views, each view with the
 * body site, view code and laterality an upload of it carries. They are data (a JSON file, the
 * built-in {@code protocols/capture-protocols.json} or {@code photobridge.capture.protocols-file}),
 * validated here against what {@code POST /api/v1/photos} accepts, so a protocol never offers a view
 * the upload would refuse.
 */
public final class CaptureProtocols {
    public static final String BUILT_IN = "protocols/capture-protocols.json";
    private static final Set<String> LATERALITY = Set.of("L", "R", "B", "U");
    private static final java.util.regex.Pattern SLUG = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** A SNOMED CT body site as the upload metadata's {@code bodySite}. */
    public record BodySite(String system, String code, String display) {
    }

    /** One view of a protocol's checklist; {@code id} is unique within the protocol. */
    public record View(String id, String label, String view, BodySite bodySite, String laterality,
            String instruction) {
    }

    /**
     * One protocol. {@code metadataProtocol} is the {@code protocol} value an upload of this protocol
     * sends (one of the DICOM protocol vocabulary), or null when the vocabulary has no such series; an
     * empty {@code views} list is free capture (site and view chosen per photo).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Protocol(String code, String name, String description, String metadataProtocol, List<View> views) {
        public Protocol {
            views = views == null ? List.of() : List.copyOf(views);
        }
    }

    record Document(List<Protocol> protocols) {
    }

    private final List<Protocol> protocols;

    private CaptureProtocols(List<Protocol> protocols) {
        this.protocols = List.copyOf(protocols);
    }

    public List<Protocol> all() {
        return protocols;
    }

    public Optional<Protocol> find(String code) {
        return protocols.stream().filter(p -> p.code().equals(code)).findFirst();
    }

    /** The configured file, or the built-in one. */
    public static CaptureProtocols load(Optional<String> file, ObjectMapper json) {
        String source = file.orElse("classpath:" + BUILT_IN);
        try (InputStream in = file.isPresent() ? Files.newInputStream(Path.of(file.get()))
                : CaptureProtocols.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("capture protocols: " + source + " is missing");
            }
            return parse(in.readAllBytes(), json, source);
        } catch (IOException e) {
            throw new IllegalStateException("capture protocols: cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads and checks a protocols document.
     *
     * @throws IllegalStateException naming the protocol, view and rule at fault
     */
    public static CaptureProtocols parse(byte[] bytes, ObjectMapper json, String source) {
        Document document;
        try {
            document = json.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(bytes, Document.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("capture protocols: " + source + " is not a valid protocols document: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("capture protocols: cannot read " + source + ": " + e.getMessage(), e);
        }
        if (document == null || document.protocols() == null || document.protocols().isEmpty()) {
            throw new IllegalStateException("capture protocols: " + source + " lists no protocols");
        }
        var problems = new ArrayList<String>();
        var codes = new HashSet<String>();
        for (Protocol protocol : document.protocols()) {
            String where = "protocol '" + protocol.code() + "'";
            if (protocol.code() == null || !SLUG.matcher(protocol.code()).matches()) {
                problems.add(where + ": code must be a slug ([a-z0-9-])");
            } else if (!codes.add(protocol.code())) {
                problems.add(where + ": code appears twice");
            }
            if (protocol.name() == null || protocol.name().isBlank()) {
                problems.add(where + ": name is required");
            }
            if (protocol.metadataProtocol() != null && ProtocolVocabulary.find(protocol.metadataProtocol()).isEmpty()) {
                problems.add(where + ": metadataProtocol must be one of " + ProtocolVocabulary.codes() + " or null");
            }
            var ids = new HashSet<String>();
            for (View view : protocol.views()) {
                String at = where + " view '" + view.id() + "'";
                if (view.id() == null || !SLUG.matcher(view.id()).matches()) {
                    problems.add(at + ": id must be a slug ([a-z0-9-])");
                } else if (!ids.add(view.id())) {
                    problems.add(at + ": id appears twice");
                }
                if (view.label() == null || view.label().isBlank()) {
                    problems.add(at + ": label is required");
                }
                if (ViewVocabulary.find(view.view()).isEmpty()) {
                    problems.add(at + ": view must be one of " + ViewVocabulary.codes());
                }
                if (!LATERALITY.contains(view.laterality())) {
                    problems.add(at + ": laterality must be one of L, R, B, U");
                }
                BodySite site = view.bodySite();
                if (site == null || !MetadataParser.SNOMED.equals(site.system()) || site.code() == null
                        || !site.code().matches("[1-9][0-9]{5,17}") || !Verhoeff.isValid(site.code())) {
                    problems.add(at + ": bodySite must be a SNOMED CT concept (system " + MetadataParser.SNOMED
                            + ", a code with a valid check digit)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("capture protocols in " + source + " are invalid: "
                    + String.join("; ", problems));
        }
        return new CaptureProtocols(document.protocols());
    }
}
