package org.photobridge.gateway.pacs;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.gateway.pacs.DestinationsConfig.DestinationConfig;
import org.photobridge.gateway.tls.ClientTls;
import org.photobridge.gateway.tls.LoopbackHosts;
import org.photobridge.gateway.tls.TlsSettings;


/**
 * The configured, enabled destinations by name, built once from configuration. A configuration
 * that names an unknown kind or misses a required setting stops start-up with a message saying which.
 */
@ApplicationScoped
public class Destinations {
    private final Map<String, Destination> byName = new TreeMap<>();

    @Inject
    public Destinations(DestinationsConfig config) {
        config.destinations().forEach((name, settings) -> {
            // Disabled ones too: photos they hold are still read back (WADO-RS) and withdrawn (REST).
            requireSafeTransport(name, settings);
            if (settings.enabled()) {
                byName.put(name, create(name, settings));
            }
        });
        if (byName.isEmpty()) {
            throw new IllegalStateException("no enabled destination: configure at least one under "
                    + "photobridge.destinations.<name>.kind (dimse or stow-rs); a photo must have somewhere to go");
        }
    }

    static Destination create(String name, DestinationConfig settings) {
        String prefix = "photobridge.destinations." + name + ".";
        return switch (settings.kind()) {
            case "dimse" -> new DimseDestination(new DimseSettings(name,
                    settings.host().orElseThrow(() -> missing(prefix + "host")),
                    settings.port().orElseThrow(() -> missing(prefix + "port")),
                    settings.aeTitle().orElseThrow(() -> missing(prefix + "ae-title")),
                    settings.callingAeTitle(), settings.connectTimeout(), settings.timeout(),
                    settings.associations(), settings.associationIdleRelease()),
                    dimseTls(name, settings));
            case "stow-rs" -> new StowRsDestination(new StowRsSettings(name,
                    settings.url().orElseThrow(() -> missing(prefix + "url")), credentials(settings),
                    settings.connectTimeout(), settings.timeout(), httpsTls(name, settings)));
            default -> throw new IllegalStateException(prefix + "kind must be 'dimse' or 'stow-rs', not '"
                    + settings.kind() + "'");
        };
    }

    /**
     * Refuses (at start-up) a destination that would send its credentials in clear: over plain
     * {@code http://} they are readable by anyone on the path. Allowed only to a loopback host, and only
     * with {@code plain-http-on-loopback=true}. Redirects are never followed ({@link PacsHttpClient}), so
     * credentials never reach a URL other than these.
     */
    static void requireSafeTransport(String name, DestinationConfig settings) {
        String prefix = "photobridge.destinations." + name + ".";
        if (settings.tls().enabled()) {
            for (var url : Map.of("url", settings.url(), "dicomweb-url", settings.dicomwebUrl(), "rest-url",
                    settings.restUrl()).entrySet()) {
                if (url.getValue().isPresent() && "http".equalsIgnoreCase(url.getValue().get().getScheme())) {
                    throw new IllegalStateException(prefix + url.getKey() + " is plain http:// but " + prefix
                            + "tls.enabled=true: use https://");
                }
            }
        }
        if (credentials(settings).authorization().isEmpty()) {
            return;
        }
        for (var url : Map.of("url", settings.url(), "dicomweb-url", settings.dicomwebUrl(), "rest-url",
                settings.restUrl()).entrySet()) {
            if (url.getValue().isEmpty() || !"http".equalsIgnoreCase(url.getValue().get().getScheme())) {
                continue;
            }
            boolean loopback = LoopbackHosts.isLoopback(url.getValue().get().getHost());
            if (!loopback) {
                throw new IllegalStateException(prefix + url.getKey() + " is plain http:// to a host that is not "
                        + "loopback, and this destination has credentials, which would travel in clear: use https://");
            }
            if (!settings.plainHttpOnLoopback()) {
                throw new IllegalStateException(prefix + url.getKey() + " is plain http:// and this destination has "
                        + "credentials: use https://, or for a PACS on this machine set " + prefix
                        + "plain-http-on-loopback=true");
            }
        }
    }

    /**
     * The TLS client of a DIMSE destination with {@code tls.enabled}, built and checked now (start-up), or
     * empty for plain DIMSE.
     */
    static Optional<ClientTls> dimseTls(String name, DestinationConfig settings) {
        if (!settings.tls().enabled()) {
            return Optional.empty();
        }
        return Optional.of(ClientTls.of(tlsSettings(name, settings)));
    }

    /**
     * The TLS client for a destination's {@code https://} URLs: its {@code tls.*} trust, client certificate
     * and protocols under the BCP 195 policy (the JDK's CAs when no CA is configured). Built for every
     * destination, so a bad setting stops start-up even before an https URL is used.
     */
    public static Optional<ClientTls> httpsTls(String name, DestinationConfig settings) {
        return Optional.of(ClientTls.of(tlsSettings(name, settings)));
    }

    private static TlsSettings tlsSettings(String name, DestinationConfig settings) {
        return TlsSettings.of("photobridge.destinations." + name + ".tls.", settings.tls());
    }

    /** The HTTP credentials a destination's settings name (used for its STOW-RS, WADO-RS and REST URLs). */
    public static HttpCredentials credentials(DestinationConfig settings) {
        if (settings.bearerToken().isPresent()) {
            return new HttpCredentials.Bearer(settings.bearerToken().get());
        }
        if (settings.username().isPresent()) {
            return new HttpCredentials.Basic(settings.username().get(), settings.password().orElse(""));
        }
        return new HttpCredentials.None();
    }

    /**
     * A WADO-RS client for reading a destination's photos back, when it has a DICOMweb URL to read from:
     * {@code dicomweb-url}, or for a STOW-RS destination its {@code url}.
     */
    public static Optional<WadoRsClient> readBack(DestinationConfig settings, long maxInstanceBytes) {
        return readBack("(unnamed)", settings, maxInstanceBytes);
    }

    /** As {@link #readBack(DestinationConfig, long)}, naming the destination in TLS setting errors. */
    public static Optional<WadoRsClient> readBack(String name, DestinationConfig settings, long maxInstanceBytes) {
        Optional<URI> dicomweb = settings.dicomwebUrl()
                .or(() -> "stow-rs".equals(settings.kind()) ? settings.url() : Optional.empty());
        return dicomweb.map(url -> new WadoRsClient(url, credentials(settings), settings.connectTimeout(),
                settings.timeout(), maxInstanceBytes, httpsTls(name, settings)));
    }

    /** Where a destination with withdrawal action {@code delete} deletes: its Orthanc REST API ({@code rest-url}). */
    public static OrthancRestSettings orthancRest(String name, DestinationConfig settings) {
        URI url = settings.restUrl().orElseThrow(() -> new IllegalStateException("destination '" + name
                + "' has withdrawal-action delete but no rest-url"));
        return new OrthancRestSettings(name, url, credentials(settings), settings.connectTimeout(), settings.timeout(),
                httpsTls(name, settings));
    }

    private static IllegalStateException missing(String key) {
        return new IllegalStateException(key + " is required for this destination kind");
    }

    /** Releases the DIMSE associations kept for later deliveries, so PACS see an orderly A-RELEASE at shutdown. */
    @PreDestroy
    void releaseKeptAssociations() {
        for (Destination destination : byName.values()) {
            if (destination instanceof DimseDestination dimse) {
                dimse.releaseIdleAssociations();
            }
        }
    }

    public Optional<Destination> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public List<Destination> all() {
        return List.copyOf(byName.values());
    }
}
