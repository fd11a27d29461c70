package org.photobridge.gateway.tls;

/** Which host names mean this machine: where a plain connection may stay in clear. */
public final class LoopbackHosts {
    private LoopbackHosts() {
    }

    /** Whether a URL's host is this machine by its name alone (no DNS lookup: a name could resolve anywhere). */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
