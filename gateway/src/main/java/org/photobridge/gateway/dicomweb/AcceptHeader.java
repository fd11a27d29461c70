package org.photobridge.gateway.dicomweb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.photobridge.gateway.problem.ProblemException;

/**
 * An HTTP Accept header read the way DICOMweb uses it (PS3.18 8.7): media ranges with parameters
 * ({@code type}, {@code transfer-syntax}, {@code q}), best first. Answers 406 with what is offered
 * when nothing the door produces is acceptable.
 */
final class AcceptHeader {
    static final String DICOM_JSON = "application/dicom+json";
    static final String DICOM = "application/dicom";
    static final String JPEG = "image/jpeg";
    static final String OCTET_STREAM = "application/octet-stream";

    /** One media range: type/subtype in lower case and its parameters (names lower case, values unquoted). */
    record MediaRange(String type, Map<String, String> parameters, double quality) {
        Optional<String> parameter(String name) {
            return Optional.ofNullable(parameters.get(name));
        }
    }

    private final List<MediaRange> ranges;

    private AcceptHeader(List<MediaRange> ranges) {
        this.ranges = ranges;
    }

    static AcceptHeader parse(String header) {
        var ranges = new ArrayList<MediaRange>();
        if (header != null) {
            for (String range : splitOutsideQuotes(header, ',')) {
                List<String> pieces = splitOutsideQuotes(range, ';');
                String type = pieces.get(0).strip().toLowerCase(Locale.ROOT);
                if (type.isEmpty()) {
                    continue;
                }
                var parameters = new LinkedHashMap<String, String>();
                double quality = 1.0;
                for (String piece : pieces.subList(1, pieces.size())) {
                    int equals = piece.indexOf('=');
                    if (equals < 0) {
                        continue;
                    }
                    String name = piece.substring(0, equals).strip().toLowerCase(Locale.ROOT);
                    String value = unquote(piece.substring(equals + 1).strip());
                    if (name.equals("q")) {
                        try {
                            quality = Double.parseDouble(value);
                        } catch (NumberFormatException e) {
                            quality = 0;
                        }
                    } else {
                        parameters.put(name, value);
                    }
                }
                if (quality > 0) {
                    ranges.add(new MediaRange(type, parameters, quality));
                }
            }
        }
        ranges.sort(Comparator.comparingDouble(MediaRange::quality).reversed());
        return new AcceptHeader(List.copyOf(ranges));
    }

    /** Whether the client named nothing, or anything ({@code *}{@code /*}). */
    private boolean acceptsAnything() {
        return ranges.isEmpty() || ranges.stream().anyMatch(r -> r.type().equals("*/*"));
    }

    /** For QIDO-RS and metadata: DICOM JSON (or plain JSON, or anything), else 406. */
    void requireDicomJson() {
        if (acceptsAnything() || ranges.stream().map(MediaRange::type).anyMatch(type -> type.equals(DICOM_JSON)
                || type.equals("application/json") || type.equals("application/*"))) {
            return;
        }
        throw notAcceptable("this resource is available as application/dicom+json only");
    }

    /** For rendered and thumbnail: JPEG, else 406. */
    void requireJpeg() {
        if (acceptsAnything() || ranges.stream().map(MediaRange::type).anyMatch(type -> type.equals(JPEG)
                || type.equals("image/*"))) {
            return;
        }
        throw notAcceptable("rendered images and thumbnails are available as image/jpeg only");
    }

    /**
     * For retrieving DICOM objects: the transfer syntaxes the client takes, best first, in the forms
     * {@code *} (as stored) or a Transfer Syntax UID. A multipart/related range of type
     * application/dicom without a transfer-syntax (and an Accept that names no media type) means
     * Explicit VR Little Endian, the DICOMweb default. 406 when no range asks for DICOM objects as
     * multipart/related.
     */
    List<String> dicomTransferSyntaxes() {
        var syntaxes = new ArrayList<String>();
        if (ranges.isEmpty()) {
            syntaxes.add(DicomObjects.EXPLICIT_LITTLE);
        }
        for (MediaRange range : ranges) {
            boolean multipart = range.type().equals("multipart/related") || range.type().equals("multipart/*");
            String partType = range.parameter("type").map(t -> t.toLowerCase(Locale.ROOT)).orElse(DICOM);
            if (range.type().equals("*/*") || (multipart && partType.equals(DICOM))) {
                syntaxes.add(range.parameter("transfer-syntax").orElse(DicomObjects.EXPLICIT_LITTLE));
            }
        }
        if (syntaxes.isEmpty()) {
            throw notAcceptable("DICOM objects are sent as multipart/related; type=\"application/dicom\""
                    + " (with transfer-syntax=* for the stored encoding, or none for Explicit VR Little Endian)");
        }
        return syntaxes;
    }

    /** A frame encoding a client accepts: the part media type and a transfer syntax (or {@code *}). */
    record FrameEncoding(String mediaType, String transferSyntax) {
    }

    /**
     * For retrieving frames (PS3.18 8.7.3.5): the encodings the client takes, best first.
     * {@code application/octet-stream} without a transfer-syntax (and an Accept that names no media
     * type) means uncompressed Explicit VR Little Endian pixel data; {@code image/jpeg} without one
     * means JPEG Baseline. 406 when no range asks for frames as multipart/related.
     */
    List<FrameEncoding> frameEncodings() {
        var encodings = new ArrayList<FrameEncoding>();
        if (ranges.isEmpty()) {
            encodings.add(new FrameEncoding(OCTET_STREAM, DicomObjects.EXPLICIT_LITTLE));
        }
        for (MediaRange range : ranges) {
            boolean multipart = range.type().equals("multipart/related") || range.type().equals("multipart/*");
            String partType = range.parameter("type").map(t -> t.toLowerCase(Locale.ROOT)).orElse(OCTET_STREAM);
            if (range.type().equals("*/*") || (multipart && partType.equals(OCTET_STREAM))) {
                encodings.add(new FrameEncoding(OCTET_STREAM,
                        range.parameter("transfer-syntax").orElse(DicomObjects.EXPLICIT_LITTLE)));
            } else if (multipart && partType.equals(JPEG)) {
                encodings.add(new FrameEncoding(JPEG, range.parameter("transfer-syntax").orElse(DicomObjects.JPEG_BASELINE)));
            }
        }
        if (encodings.isEmpty()) {
            throw notAcceptable("frames are sent as multipart/related; type=\"application/octet-stream\" (with"
                    + " transfer-syntax=* for the stored encoding, or none for uncompressed pixels) or"
                    + " type=\"image/jpeg\"");
        }
        return encodings;
    }

    static ProblemException notAcceptable(String detail) {
        return new ProblemException(406, "not-acceptable", "Not acceptable", detail);
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        var pieces = new ArrayList<String>();
        var current = new StringBuilder();
        boolean quoted = false;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                pieces.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        pieces.add(current.toString());
        return pieces;
    }
}
