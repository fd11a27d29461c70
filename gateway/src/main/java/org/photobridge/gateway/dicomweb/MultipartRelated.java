package org.photobridge.gateway.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A WADO-RS answer: a multipart/related body (RFC 2387) of DICOM objects (root type
 * application/dicom) or of frames (application/octet-stream or image/jpeg), each part with its own
 * Content-Type naming the part's transfer syntax (PS3.18 8.7.3.4) and its Content-Length.
 */
final class MultipartRelated {

    /** One part: a DICOM object in Part 10 form, or one frame's pixel data, and its encoding. */
    record Part(byte[] content, String mediaType, String transferSyntax) {
        /** A DICOM object. */
        Part(byte[] part10, String transferSyntax) {
            this(part10, AcceptHeader.DICOM, transferSyntax);
        }
    }

    private final String boundary = "photobridge-" + UUID.randomUUID();
    private final String type;
    private final List<Part> parts;

    /** DICOM objects. */
    MultipartRelated(List<Part> parts) {
        this(AcceptHeader.DICOM, parts);
    }

    /** Parts of the media type {@code type}. */
    MultipartRelated(String type, List<Part> parts) {
        this.type = type;
        this.parts = List.copyOf(parts);
    }

    /** The Content-Type header of the whole answer. */
    String contentType() {
        return "multipart/related; type=\"" + type + "\"; boundary=" + boundary;
    }

    void writeTo(OutputStream out) throws IOException {
        for (Part part : parts) {
            out.write(ascii("--" + boundary + "\r\n"
                    + "Content-Type: " + part.mediaType() + "; transfer-syntax=" + part.transferSyntax() + "\r\n"
                    + "Content-Length: " + part.content().length + "\r\n\r\n"));
            out.write(part.content());
            out.write(ascii("\r\n"));
        }
        out.write(ascii("--" + boundary + "--\r\n"));
        out.flush();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
