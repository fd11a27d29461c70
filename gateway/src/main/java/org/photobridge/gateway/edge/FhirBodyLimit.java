package org.photobridge.gateway.edge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.photobridge.gateway.problem.ErrorBody;
import org.photobridge.gateway.problem.Problem;

/**
 * Caps the body of a {@code /fhir} request ({@code photobridge.http.fhir-max-body-size}) before the
 * FHIR server parses any of it: a declared {@code Content-Length} over the cap is refused without
 * reading; a body without one (chunked) is read up to the cap and refused as soon as it passes it.
 * Either way the answer is 413 with an OperationOutcome, and the connection is closed. A body within
 * the cap is handed on from memory, so the FHIR server never reads more than the cap from the socket.
 * An XML body that declares a document type (a DTD, where entities are declared: external entities
 * that read files or URLs, or entity expansion bombs) is refused with 400 before any XML parser sees
 * it; FHIR's XML format has no use for one. XML in an encoding other than an ASCII-compatible one
 * (UTF-16, UTF-32, where the check could not read it) is refused with 415. A JSON body nested deeper
 * than {@value #MAX_JSON_DEPTH} levels (a resource needs a few dozen at most) is refused with 400,
 * so no parser recurses through thousands of levels.
 */
@WebFilter(urlPatterns = { "/fhir", "/fhir/*" }, asyncSupported = true)
public class FhirBodyLimit extends HttpFilter {

    private static final long serialVersionUID = 1L;

    /** Deepest JSON nesting accepted; FHIR resources, extensions within extensions included, stay far below. */
    static final int MAX_JSON_DEPTH = 100;

    /** Looked up per request: servlet filters are built at static init, before runtime configuration exists. */
    @Inject
    Instance<EdgeConfig> config;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long limit = config.get().fhirMaxBodySize().asLongValue();
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, EdgeProblems.fhirBodyTooLarge(limit));
            return;
        }
        boolean chunked = "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
        if (declared < 0 && !chunked) {
            chain.doFilter(request, response); // no body
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), limit);
        if (body == null) {
            refuse(request, response, EdgeProblems.fhirBodyTooLarge(limit));
            return;
        }
        if (looksLikeXml(request, body)) {
            if (!asciiCompatible(body)) {
                refuse(request, response, EdgeProblems.fhirXmlNotUtf8());
                return;
            }
            if (declaresDocumentType(body)) {
                refuse(request, response, EdgeProblems.fhirXmlWithDocumentType());
                return;
            }
        } else if (jsonDepth(body) > MAX_JSON_DEPTH) {
            refuse(request, response, EdgeProblems.fhirJsonTooDeep(MAX_JSON_DEPTH));
            return;
        }
        chain.doFilter(new BufferedBody(request, body), response);
    }

    /** The deepest nesting of objects and arrays, strings skipped (0 for anything that is not JSON). */
    static int jsonDepth(byte[] body) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return deepest;
    }

    private static boolean looksLikeXml(HttpServletRequest request, byte[] body) {
        String type = request.getContentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).contains("xml")) {
            return true;
        }
        for (byte b : body) {
            if (b == '<' || b == 0 || (b & 0xFF) == 0xFE || (b & 0xFF) == 0xFF) {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && (b & 0xFF) != 0xEF && (b & 0xFF) != 0xBB
                    && (b & 0xFF) != 0xBF) {
                return false; // JSON (or anything else) the FHIR server judges itself
            }
        }
        return false;
    }

    /** No UTF-16/32 byte-order mark and no NUL byte: the DOCTYPE check reads the bytes as they are. */
    private static boolean asciiCompatible(byte[] body) {
        if (body.length >= 2 && ((body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF
                || (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE)) {
            return false;
        }
        for (byte b : body) {
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean declaresDocumentType(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1).toUpperCase(java.util.Locale.ROOT);
        return text.contains("<!DOCTYPE") || text.contains("<!ENTITY");
    }

    /** The whole body, or null when it is longer than {@code limit}. */
    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        var out = new ByteArrayOutputStream((int) Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0;) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, Problem problem)
            throws IOException {
        ErrorBody body = ErrorBody.of(request.getRequestURI(), problem);
        response.setStatus(body.status());
        response.setContentType(body.contentType());
        response.setHeader("Connection", "close");
        response.setContentLength(body.bytes().length);
        response.getOutputStream().write(body.bytes());
        response.flushBuffer();
    }

    /** The request with its body already read (within the cap). */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body has been read already");
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() throws java.io.UnsupportedEncodingException {
            String encoding = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
            return new java.io.BufferedReader(new java.io.InputStreamReader(new ByteArrayInputStream(body),
                    java.nio.charset.Charset.forName(encoding)));
        }
    }
}
