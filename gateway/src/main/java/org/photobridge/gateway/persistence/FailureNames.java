package org.photobridge.gateway.persistence;

import java.util.ArrayList;
import java.util.List;

/**
 * A failure as it may be logged: the class names of its cause chain, without their messages. The
 * database's messages quote the values of the rows involved (a unique violation names the key), and
 * an EHR's diagnostics may quote a resource; neither belongs in a log.
 */
public final class FailureNames {

    private FailureNames() {
    }

    public static String of(Throwable failure) {
        List<String> names = new ArrayList<>();
        for (Throwable t = failure; t != null && names.size() < 8; t = t.getCause() == t ? null : t.getCause()) {
            names.add(t.getClass().getName());
        }
        return String.join(" <- ", names);
    }
}
