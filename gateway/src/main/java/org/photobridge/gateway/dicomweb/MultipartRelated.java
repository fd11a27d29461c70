package org.photobridge.gateway.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A WADO-RS answer of DICOM objects: a multipart/related body (RFC 2387) whose root type is
 * application/dicom, each part with its own Content-Type naming the part's transfer syntax
 * (PS3.18 8.7.3.4) and its Content-Length.
 */
final class MultipartRelated {

    /** One DICOM object in Part 10 form and the transfer syntax it is encoded in. */
    record Part(byte[] part10, String transferSyntax) {
    }

    private final String boundary = "photobridge-" + UUID.randomUUID();
    private final List<Part> parts;

    MultipartRelated(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The Content-Type header of the whole answer. */
    String contentType() {
        return "multipart/related; type=\"" + AcceptHeader.DICOM + "\"; boundary=" + boundary;
    }

    void writeTo(OutputStream out) throws IOException {
        for (Part part : parts) {
            out.write(ascii("--" + boundary + "\r\n"
                    + "Content-Type: " + AcceptHeader.DICOM + "; transfer-syntax=" + part.transferSyntax() + "\r\n"
                    + "Content-Length: " + part.part10().length + "\r\n\r\n"));
            out.write(part.part10());
            out.write(ascii("\r\n"));
        }
        out.write(ascii("--" + boundary + "--\r\n"));
        out.flush();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
