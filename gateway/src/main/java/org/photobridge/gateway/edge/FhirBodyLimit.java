package org.photobridge.gateway.edge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

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

/**
 * Caps the body of a {@code /fhir} request ({@code photobridge.http.fhir-max-body-size}) before the
 * FHIR server parses any of it: a declared {@code Content-Length} over the cap is refused without
 * reading; a body without one (chunked) is read up to the cap and refused as soon as it passes it.
 * Either way the answer is 413 with an OperationOutcome, and the connection is closed. A body within
 * the cap is handed on from memory, so the FHIR server never reads more than the cap from the socket.
 */
@WebFilter(urlPatterns = { "/fhir", "/fhir/*" }, asyncSupported = true)
public class FhirBodyLimit extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    EdgeConfig config;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long limit = config.fhirMaxBodySize().asLongValue();
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, limit);
            return;
        }
        boolean chunked = "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
        if (declared < 0 && !chunked) {
            chain.doFilter(request, response); // no body
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), limit);
        if (body == null) {
            refuse(request, response, limit);
            return;
        }
        chain.doFilter(new BufferedBody(request, body), response);
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

    private static void refuse(HttpServletRequest request, HttpServletResponse response, long limit)
            throws IOException {
        ErrorBody body = ErrorBody.of(request.getRequestURI(), EdgeProblems.fhirBodyTooLarge(limit));
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
