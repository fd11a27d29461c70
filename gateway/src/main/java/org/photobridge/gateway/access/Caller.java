package org.photobridge.gateway.access;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The authenticated user of a request as the gateway's domain sees it: a stable subject, a display
 * name for DICOM Operators' Name, realm roles, the departments (Keycloak groups) they belong to, and
 * the token's authentication context class ({@code acr}, null when the token has none), which says
 * whether the user proved a second factor.
 */
public record Caller(String subject, String username, String displayName, Set<String> roles,
        Set<String> departments, String acr) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** The tags among {@code tags} this caller does not belong to, in sorted order. */
    public List<String> missingDepartments(Collection<String> tags) {
        var missing = new TreeSet<String>();
        for (String tag : tags) {
            if (!departments.contains(tag)) {
                missing.add(tag);
            }
        }
        return List.copyOf(missing);
    }

    /** Whether the caller belongs to at least one of a photo's access tags. */
    public boolean maySee(Collection<String> accessTags) {
        return accessTags.stream().anyMatch(departments::contains);
    }
}
