package org.photobridge.gateway.problem;

import java.nio.charset.StandardCharsets;

import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.photobridge.fhir.FhirContexts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The body of an error answered at the HTTP edge, before any resource runs (refused request line,
 * missing or invalid token, permission denied, unknown path): an OperationOutcome on {@code /fhir},
 * problem+json everywhere else. Built from a {@link Problem}, whose detail never repeats the request.
 */
public record ErrorBody(int status, String contentType, byte[] bytes) {

    public static final String FHIR_JSON = "application/fhir+json;charset=UTF-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body for {@code problem} on a request to {@code path} (the raw path is enough to tell the door). */
    public static ErrorBody of(String path, Problem problem) {
        if (isFhir(path)) {
            return new ErrorBody(problem.status(), FHIR_JSON, operationOutcome(problem));
        }
        try {
            return new ErrorBody(problem.status(), Problem.MEDIA_TYPE, JSON.writeValueAsBytes(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem", e);
        }
    }

    /** Whether {@code path} is on the FHIR door, whose errors are OperationOutcomes. */
    public static boolean isFhir(String path) {
        return path != null && (path.equals("/fhir") || path.startsWith("/fhir/"));
    }

    private static byte[] operationOutcome(Problem problem) {
        var outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(IssueSeverity.ERROR)
                .setCode(issueType(problem.status()))
                .setDiagnostics(problem.detail())
                .getDetails().setText(problem.title()).addCoding()
                .setSystem(Problem.TYPE_PREFIX.substring(0, Problem.TYPE_PREFIX.length() - 1))
                .setCode(problem.type().substring(Problem.TYPE_PREFIX.length()));
        return FhirContexts.r4().newJsonParser().setPrettyPrint(true).encodeResourceToString(outcome)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static IssueType issueType(int status) {
        return switch (status) {
            case 401 -> IssueType.LOGIN;
            case 403 -> IssueType.FORBIDDEN;
            case 404 -> IssueType.NOTFOUND;
            case 405 -> IssueType.NOTSUPPORTED;
            case 413, 414, 431 -> IssueType.TOOLONG;
            case 503 -> IssueType.TRANSIENT;
            default -> status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID;
        };
    }
}
