package org.photobridge.gateway.edge;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Reads the request target of an HTTP request line (RFC 9112 origin-form, {@code /path?query}) the
 * way the gateway accepts it: a valid RFC 3986 URI as it stands, or one whose only fault is that its
 * query holds characters RFC 3986 forbids there but clients send bare (FHIR's {@code system|value},
 * curl users, WHATWG browsers for {@code |}, {@code {}} and friends). Those are percent-encoded, so
 * everything behind the gateway's edge sees a valid URI that decodes to the very same parameter values.
 */
public final class RequestTarget {

    /**
     * Characters RFC 3986 allows nowhere in a URI but that clients leave bare in a query: the
     * "unsafe" set of RFC 1738 less {@code ~} (unreserved since RFC 3986) and {@code #} (the fragment
     * delimiter), plus {@code "}, {@code <} and {@code >}. A space is not among them: on the request
     * line it ends the target, and one inside a target is a broken request.
     */
    static final String ESCAPED_IN_QUERY = "|[]{}^`\"<>\\";

    /** What the edge makes of a request target. */
    public sealed interface Verdict {
    }

    /** The target is a valid URI; nothing to do. */
    public record Valid() implements Verdict {
    }

    /** The target becomes valid with its query's forbidden characters percent-encoded. */
    public record Escaped(String target) implements Verdict {
    }

    /** The target cannot be read; {@code reason} says why, without repeating it. */
    public record Invalid(String reason) implements Verdict {
    }

    private static final Valid VALID = new Valid();

    private RequestTarget() {
    }

    /** Judges a raw request target, as it arrived on the request line. */
    public static Verdict judge(String target) {
        if (parses(target)) {
            return VALID;
        }
        String escaped = escapeQuery(target);
        if (!escaped.equals(target) && parses(escaped)) {
            return new Escaped(escaped);
        }
        return new Invalid(reason(escaped));
    }

    /** The target with every character of {@link #ESCAPED_IN_QUERY} in its query percent-encoded. */
    static String escapeQuery(String target) {
        int query = target.indexOf('?');
        if (query < 0) {
            return target;
        }
        StringBuilder out = null;
        for (int i = query + 1; i < target.length(); i++) {
            char c = target.charAt(i);
            if (ESCAPED_IN_QUERY.indexOf(c) >= 0) {
                if (out == null) {
                    out = new StringBuilder(target.length() + 16).append(target, 0, i);
                }
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? target : out.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean parses(String target) {
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String reason(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%' && (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2)))) {
                return "the request target holds a '%' that does not start a percent-encoded byte (%XX)";
            }
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!parses(path)) {
            return "the path of the request target holds characters that must be percent-encoded";
        }
        return "the request target is not a valid URI (RFC 3986); percent-encode its special characters";
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
