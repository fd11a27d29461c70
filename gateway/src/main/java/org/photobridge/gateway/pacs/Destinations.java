package org.photobridge.gateway.pacs;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.pacs.DestinationsConfig.DestinationConfig;

import io.quarkus.runtime.StartupEvent;

/**
 * The configured, enabled destinations by name, built once from configuration. A configuration
 * that names an unknown kind or misses a required setting stops start-up with a message saying which.
 */
@ApplicationScoped
public class Destinations {
    private static final Logger LOG = Logger.getLogger(Destinations.class);

    private final Map<String, Destination> byName = new TreeMap<>();

    @Inject
    public Destinations(DestinationsConfig config) {
        config.destinations().forEach((name, settings) -> {
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
                    settings.callingAeTitle(), settings.connectTimeout(), settings.timeout()));
            case "stow-rs" -> new StowRsDestination(new StowRsSettings(name,
                    settings.url().orElseThrow(() -> missing(prefix + "url")), credentials(settings),
                    settings.connectTimeout(), settings.timeout()));
            default -> throw new IllegalStateException(prefix + "kind must be 'dimse' or 'stow-rs', not '"
                    + settings.kind() + "'");
        };
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
        Optional<URI> dicomweb = settings.dicomwebUrl()
                .or(() -> "stow-rs".equals(settings.kind()) ? settings.url() : Optional.empty());
        return dicomweb.map(url -> new WadoRsClient(url, credentials(settings), settings.connectTimeout(),
                settings.timeout(), maxInstanceBytes));
    }

    /** Where a destination with withdrawal action {@code delete} deletes: its Orthanc REST API ({@code rest-url}). */
    public static OrthancRestSettings orthancRest(String name, DestinationConfig settings) {
        URI url = settings.restUrl().orElseThrow(() -> new IllegalStateException("destination '" + name
                + "' has withdrawal-action delete but no rest-url"));
        return new OrthancRestSettings(name, url, credentials(settings), settings.connectTimeout(), settings.timeout());
    }

    private static IllegalStateException missing(String key) {
        return new IllegalStateException(key + " is required for this destination kind");
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

    void checkAtStartup(@Observes StartupEvent event) {
        for (Destination destination : byName.values()) {
            var reach = destination.check();
            if (reach.reachable()) {
                LOG.infof("destination %s reachable: %s", destination.name(), reach.detail());
            } else {
                LOG.warnf("destination %s NOT reachable at start-up (photos will queue and be retried): %s",
                        destination.name(), reach.detail());
            }
        }
    }
}
