package org.photobridge.gateway.edge;

import org.photobridge.gateway.problem.Problem;

/** The problems the HTTP edge answers itself; their {@code type}s are listed in docs/api.md. */
final class EdgeProblems {

    private EdgeProblems() {
    }

    static Problem malformedRequest(String reason) {
        return problem("malformed-request", "Malformed request", 400, reason);
    }

    static Problem requestTargetTooLong(int limit) {
        return problem("request-target-too-long", "URI too long", 414,
                "the request target (path and query) is longer than " + limit
                        + " characters; narrow the query or send a search as POST _search");
    }

    static Problem requestTooLarge(long limit) {
        return problem("request-too-large", "Payload too large", 413,
                "the request body is larger than the gateway accepts (" + limit + " bytes)");
    }

    static Problem fhirBodyTooLarge(long limit) {
        return problem("request-too-large", "Payload too large", 413,
                "the FHIR request body is larger than the gateway accepts on /fhir (" + limit
                        + " bytes, photobridge.http.fhir-max-body-size)");
    }

    static Problem fhirXmlWithDocumentType() {
        return problem("malformed-request", "Bad request", 400,
                "FHIR XML must not declare a document type (<!DOCTYPE> or <!ENTITY>): DTDs are not processed");
    }

    static Problem fhirJsonTooDeep(int limit) {
        return problem("malformed-request", "Bad request", 400,
                "the FHIR JSON body is nested deeper than " + limit + " levels");
    }

    static Problem fhirXmlNotUtf8() {
        return problem("unsupported-media-type", "Unsupported media type", 415,
                "FHIR XML is accepted in UTF-8 only");
    }

    static Problem tokenRequired() {
        return problem("unauthorized", "Unauthorized", 401,
                "a valid bearer token is required: send 'Authorization: Bearer <access token>'");
    }

    static Problem invalidToken() {
        return problem("invalid-token", "Unauthorized", 401,
                "the bearer token is invalid, not issued for this gateway, or expired; get a new access token");
    }

    static Problem forbidden() {
        return problem("forbidden", "Forbidden", 403, "your account lacks the permission this path needs");
    }

    static Problem notFound() {
        return problem("not-found", "Not found", 404, "nothing is served at this path");
    }

    static Problem methodNotAllowed() {
        return problem("method-not-allowed", "Method not allowed", 405, "this path does not accept this HTTP method");
    }

    static Problem forStatus(int status, String reasonPhrase) {
        return switch (status) {
            case 401 -> tokenRequired();
            case 403 -> forbidden();
            case 404 -> notFound();
            case 405 -> methodNotAllowed();
            default -> problem("http-" + status, reasonPhrase, status, reasonPhrase);
        };
    }

    private static Problem problem(String slug, String title, int status, String detail) {
        return new Problem(Problem.TYPE_PREFIX + slug, title, status, detail, null);
    }
}
