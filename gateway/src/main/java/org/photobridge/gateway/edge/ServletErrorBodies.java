package org.photobridge.gateway.edge;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.photobridge.gateway.problem.ErrorBody;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Gives {@code sendError} answers of the servlet container a problem body (an OperationOutcome on
 * /fhir). Paths that neither Quarkus REST nor a servlet serve end in Undertow's default servlet,
 * whose 404 and 405 are otherwise a small HTML page. HAPI writes its own OperationOutcomes and is
 * not affected.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class ServletErrorBodies extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void sendError(int status) throws IOException {
                sendError(status, null);
            }

            @Override
            public void sendError(int status, String message) throws IOException {
                if (isCommitted() || status < 400) {
                    super.sendError(status, message);
                    return;
                }
                ErrorBody body = ErrorBody.of(request.getRequestURI(),
                        EdgeProblems.forStatus(status, HttpResponseStatus.valueOf(status).reasonPhrase()));
                resetBuffer();
                setStatus(status);
                setContentType(body.contentType());
                setHeader("Cache-Control", "no-store");
                setContentLength(body.bytes().length);
                getOutputStream().write(body.bytes());
                flushBuffer();
            }
        });
    }
}
