package org.photobridge.fhir.consent;

/**
 * How a {@code purpose} search token of a {@link ConsentQuery} matches a stored purpose
 * ({@code system|code} in {@link ConsentSearchKeys#purposes()}), so every repository matches alike:
 * {@code system|code} matches exactly, {@code code} matches that code in any system, and
 * {@code system|} matches any code of that system.
 */
public final class PurposeToken {

    private PurposeToken() {
    }

    public static boolean matches(String token, String storedPurpose) {
        int bar = token.indexOf('|');
        if (bar < 0) {
            return storedPurpose.endsWith("|" + token);
        }
        if (bar == token.length() - 1) {
            return storedPurpose.startsWith(token);
        }
        return storedPurpose.equals(token);
    }
}
