package org.photobridge.fhir.server;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * Unknown search parameters, as FHIR's {@code Prefer: handling} asks: strict (the default) refuses
 * the search with 400 naming them; {@code handling=lenient} ignores them and says so in an
 * OperationOutcome entry of the Bundle ({@code search.mode = outcome}). Providers collect unknown
 * parameters with HAPI's {@code @RawParam} and hand them to {@link #check}; the outcome entry is
 * added by this interceptor when the Bundle goes out.
 */
@Interceptor
public final class SearchHandling {

    private static final String IGNORED = SearchHandling.class.getName() + ".ignored";
    /** Result parameters HAPI handles itself, which may reach @RawParam. */
    private static final Set<String> SERVER_PARAMETERS = Set.of("_format", "_pretty", "_summary", "_elements",
            "_total", "_count", "_offset", "_id");

    /** Refuses unknown parameters, or records them to be reported, as the request prefers. */
    public static void check(Map<String, List<String>> raw, RequestDetails request) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        var unknown = new TreeSet<String>();
        for (String name : raw.keySet()) {
            if (!SERVER_PARAMETERS.contains(name.split(":")[0])) {
                unknown.add(name);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        if (lenient(request)) {
            request.getUserData().put(IGNORED, unknown);
            return;
        }
        throw new InvalidRequestException("unknown search parameter(s) " + String.join(", ", unknown)
                + " for " + request.getResourceName() + "; send 'Prefer: handling=lenient' to have them ignored");
    }

    static boolean lenient(RequestDetails request) {
        for (String prefer : request.getHeaders("Prefer")) {
            for (String part : prefer.split("[,;]")) {
                if (part.trim().toLowerCase(Locale.ROOT).replace(" ", "").equals("handling=lenient")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean reportIgnored(RequestDetails request, IBaseResource response) {
        if (response instanceof Bundle bundle && request != null
                && request.getUserData().get(IGNORED) instanceof Set<?> ignored && !ignored.isEmpty()) {
            var outcome = new OperationOutcome();
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.WARNING)
                    .setCode(OperationOutcome.IssueType.NOTSUPPORTED)
                    .setDiagnostics("ignored unknown search parameter(s): " + String.join(", ",
                            ignored.stream().map(String::valueOf).toList()));
            bundle.addEntry().setResource(outcome).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
        }
        return true;
    }
}
