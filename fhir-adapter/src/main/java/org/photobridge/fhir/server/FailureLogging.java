package org.photobridge.fhir.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;

/**
 * Logs the failures of FHIR requests without their messages, which may quote a request's values
 * (parser text, an identifier, a patient's name). HAPI's own exception handler logs
 * {@code exception.toString()}; its logger ({@code ca.uhn.fhir.rest.server.interceptor.ExceptionHandlingInterceptor})
 * is switched off in the gateway's configuration, and this line takes its place: status, operation
 * and exception class, and for a server error the classes of its causes. The client still receives
 * the full message in its OperationOutcome.
 */
@Interceptor
public final class FailureLogging {
    private static final Logger LOG = LoggerFactory.getLogger(FailureLogging.class);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException log(RequestDetails request, Throwable failure) {
        int status = failure instanceof BaseServerResponseException answered ? answered.getStatusCode() : 500;
        String operation = request == null ? "?" : request.getRequestType() + " " + request.getResourceName()
                + (request.getRestOperationType() == null ? "" : " " + request.getRestOperationType().getCode());
        if (status >= 500) {
            LOG.error("FHIR request failed ({} {}): {}", status, operation, causes(failure));
        } else {
            LOG.debug("FHIR request refused ({} {}): {}", status, operation, failure.getClass().getSimpleName());
        }
        return null;
    }

    /** The class names of a failure and its causes, no messages. */
    static String causes(Throwable failure) {
        var names = new StringBuilder();
        for (Throwable t = failure; t != null && names.length() < 1000; t = t.getCause() == t ? null : t.getCause()) {
            names.append(names.length() == 0 ? "" : " <- ").append(t.getClass().getName());
        }
        return names.toString();
    }
}
