package org.photobridge.gateway.access;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** Reads department names out of a token's claims. */
final class Departments {

    private Departments() {
    }

    /**
     * Departments from group paths: "/dermatology" under parent "/", or "/departments/dermatology"
     * under "/departments". "/research/dermatology" under "/" is not a department, and neither is a
     * bare "dermatology" (a realm mapping groups without full paths cannot tell the two apart).
     */
    static Set<String> fromGroupPaths(Collection<String> paths, String parent) {
        String prefix = parent.endsWith("/") ? parent : parent + "/";
        var out = new HashSet<String>();
        for (String path : paths) {
            if (path.startsWith(prefix)) {
                String name = path.substring(prefix.length());
                if (!name.isEmpty() && !name.contains("/")) {
                    out.add(name);
                }
            }
        }
        return Set.copyOf(out);
    }

    static Set<String> fromNames(Collection<String> names) {
        var out = new HashSet<String>();
        for (String name : names) {
            if (!name.isBlank() && !name.contains("/")) {
                out.add(name.strip());
            }
        }
        return Set.copyOf(out);
    }
}
