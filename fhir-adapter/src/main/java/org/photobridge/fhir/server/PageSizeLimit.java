package org.photobridge.fhir.server;

import java.util.HashMap;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * Caps {@code _count} on every search and history of the server (Consent, ImagingStudy, AuditEvent)
 * at {@link #MAX_COUNT}, as FHIR lets a server return fewer entries than asked for. The parameter is
 * rewritten before the method is bound, so the provider, the Bundle's paging links and HAPI all work
 * with the capped value and following {@code next} skips nothing.
 */
@Interceptor
public final class PageSizeLimit {

    /** The largest page any search answers (docs/fhir.md). */
    public static final int MAX_COUNT = 100;

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean cap(RequestDetails request) {
        String[] values = request.getParameters().get(Constants.PARAM_COUNT);
        if (values == null || values.length == 0) {
            return true;
        }
        boolean over = false;
        String[] capped = values.clone();
        for (int i = 0; i < capped.length; i++) {
            if (tooLarge(capped[i])) {
                capped[i] = Integer.toString(MAX_COUNT);
                over = true;
            }
        }
        if (over) {
            var parameters = new HashMap<>(request.getParameters());
            parameters.put(Constants.PARAM_COUNT, capped);
            request.setParameters(parameters);
        }
        return true;
    }

    /** A whole number over the cap (however many digits); anything else is left for the provider to judge. */
    private static boolean tooLarge(String value) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty() || !v.chars().allMatch(Character::isDigit)) {
            return false;
        }
        String digits = v.replaceFirst("^0+(?=.)", "");
        return digits.length() > 9 || Integer.parseInt(digits) > MAX_COUNT;
    }
}
