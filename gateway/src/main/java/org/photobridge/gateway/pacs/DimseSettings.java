package org.photobridge.gateway.pacs;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach a PACS by DIMSE C-STORE.
 *
 * @param name           the destination's configured name (appears in delivery records and messages)
 * @param host           the PACS host name or address
 * @param port           the PACS DICOM port
 * @param calledAeTitle  the PACS's AE title
 * @param callingAeTitle PhotoBridge's own AE title, as configured at the PACS
 * @param connectTimeout how long to wait for the TCP connection and the association answer together
 *                       with {@code readTimeout} (see {@link DimseDestination} for the exact rule)
 * @param readTimeout    how long the PACS may stay silent (no byte accepted or answered) once associated
 * @param associations   how many associations the gateway may hold open to this PACS at once (parallel
 *                       deliveries); each is reused for the deliveries that follow it
 * @param idleRelease    how long an association may wait unused for the next delivery before it is released
 */
public record DimseSettings(
        String name,
        String host,
        int port,
        String calledAeTitle,
        String callingAeTitle,
        Duration connectTimeout,
        Duration readTimeout,
        int associations,
        Duration idleRelease) {

    /** Parallel associations when none are configured. */
    public static final int DEFAULT_ASSOCIATIONS = 3;
    /** Idle time after which a kept association is released when none is configured. */
    public static final Duration DEFAULT_IDLE_RELEASE = Duration.ofSeconds(5);

    /** Settings with the default number of associations and idle release. */
    public DimseSettings(String name, String host, int port, String calledAeTitle, String callingAeTitle,
            Duration connectTimeout, Duration readTimeout) {
        this(name, host, port, calledAeTitle, callingAeTitle, connectTimeout, readTimeout, DEFAULT_ASSOCIATIONS,
                DEFAULT_IDLE_RELEASE);
    }

    public DimseSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("DIMSE destination '" + name + "': port must be 1-65535, was " + port);
        }
        requireAeTitle(name, "calledAeTitle", calledAeTitle);
        requireAeTitle(name, "callingAeTitle", callingAeTitle);
        requirePositive(name, "connectTimeout", connectTimeout);
        requirePositive(name, "readTimeout", readTimeout);
        if (associations < 1 || associations > 32) {
            throw new IllegalArgumentException("DIMSE destination '" + name + "': associations must be 1-32, was "
                    + associations);
        }
        requirePositive(name, "idleRelease", idleRelease);
    }

    /** host:port, for messages. */
    public String endpoint() {
        return host + ":" + port;
    }

    private static void requireAeTitle(String name, String field, String value) {
        // PS3.5: AE is at most 16 characters of the default repertoire, not all spaces, no backslash.
        if (value == null || value.isBlank() || value.length() > 16 || value.contains("\\")
                || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("DIMSE destination '" + name + "': " + field
                    + " must be 1-16 printable ASCII characters without backslash, was '" + value + "'");
        }
    }

    private static void requirePositive(String name, String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("DIMSE destination '" + name + "': " + field + " must be positive, was " + value);
        }
    }
}
