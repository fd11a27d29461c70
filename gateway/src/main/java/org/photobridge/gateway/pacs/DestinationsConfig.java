package org.photobridge.gateway.pacs;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.photobridge.gateway.tls.TlsConfig;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The {@code photobridge.destinations.<name>.*} settings: the PACS photos go to and how each is
 * reached (how the work queue retries is outbox.WorkQueueConfig).
 */
@ConfigMapping(prefix = "photobridge")
public interface DestinationsConfig {

    /** Destinations by name; a photo goes to every enabled destination. */
    Map<String, DestinationConfig> destinations();

    /** One destination. {@code kind} decides which of the other settings apply. */
    interface DestinationConfig {
        /** {@code dimse} (C-STORE) or {@code stow-rs} (DICOMweb). */
        String kind();

        @WithDefault("true")
        boolean enabled();

        /** DIMSE: host of the PACS. */
        Optional<String> host();

        /** DIMSE: port of the PACS. */
        Optional<Integer> port();

        /** DIMSE: the PACS's AE title (called AE). */
        Optional<String> aeTitle();

        /** DIMSE: the gateway's AE title (calling AE). */
        @WithDefault("PHOTOBRIDGE")
        String callingAeTitle();

        /** STOW-RS: DICOMweb base URL, for example http://pacs:8042/dicom-web. */
        Optional<URI> url();

        /** STOW-RS: bearer token to send, if the DICOMweb server needs one. */
        Optional<String> bearerToken();

        /** STOW-RS: user name for HTTP basic authentication, if the DICOMweb server needs one. */
        Optional<String> username();

        /** STOW-RS: password for HTTP basic authentication. */
        Optional<String> password();

        /**
         * What to ask of this destination when consent for a photo it holds is withdrawn:
         * {@code reject} (send an IHE IOCM rejection note), {@code delete} (delete through the
         * PACS's REST API, {@code rest-url}; Orthanc's is supported) or {@code none}.
         */
        @WithDefault("reject")
        String withdrawalAction();

        /** For withdrawal-action delete: base URL of the PACS's REST API (Orthanc). */
        Optional<URI> restUrl();

        /**
         * DICOMweb base URL to read photos back from (viewer, rejection notes) once local bytes are
         * purged; defaults to {@code url} for STOW-RS destinations.
         */
        Optional<URI> dicomwebUrl();

        /** Bound on connecting: the TCP connection (DIMSE: with the association), or the HTTP connection. */
        @WithDefault("10s")
        Duration connectTimeout();

        /**
         * DIMSE: how many associations deliveries to this PACS may use at once; each is kept open and
         * reused for the deliveries that follow (1-32).
         */
        @WithDefault("3")
        int associations();

        /** DIMSE: how long a kept association may wait unused before it is released. */
        @WithDefault("5s")
        Duration associationIdleRelease();

        /** How long one delivery may take before it counts as failed (and is retried). */
        @WithDefault("120s")
        Duration timeout();

        /**
         * Whether credentials (username/password, bearer token) may go over plain {@code http://} to a
         * loopback host (127.0.0.0/8, ::1, localhost): a PACS beside the gateway on one machine, as in
         * the local stack. Never to any other host; otherwise credentials need {@code https://}.
         */
        @WithDefault("false")
        boolean plainHttpOnLoopback();

        /**
         * TLS towards this destination: {@code tls.enabled} for DIMSE over TLS; for its {@code https://}
         * URLs (STOW-RS, WADO-RS, REST) the CA, client certificate, protocols and hostname check apply
         * whenever the URL is https.
         */
        TlsConfig tls();
    }
}
