package org.photobridge.gateway.problem;

/** Thrown anywhere below the HTTP layer to end a request with a specific problem response. */
public class ProblemException extends RuntimeException {
    private final Problem problem;

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, null);
    }

    public ProblemException(int status, String slug, String title, String detail, String field) {
        super(detail);
        this.problem = new Problem(Problem.TYPE_PREFIX + slug, title, status, detail, field);
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(400, "invalid-metadata", "Invalid metadata", detail, field);
    }

    public static ProblemException forbidden(String slug, String detail) {
        return new ProblemException(403, slug, "Forbidden", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }
}
