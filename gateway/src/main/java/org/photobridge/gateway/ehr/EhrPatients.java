package org.photobridge.gateway.ehr;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.ehr.EhrClient;
import org.photobridge.fhir.ehr.EhrException;
import org.photobridge.fhir.ehr.EhrSettings;
import org.photobridge.fhir.ehr.EhrTls;
import org.photobridge.gateway.tls.ClientTls;
import org.photobridge.gateway.tls.LoopbackHosts;
import org.photobridge.gateway.tls.TlsSettings;
import org.photobridge.gateway.persistence.PatientLinks;

/**
 * Finds a patient's literal reference in the EHR by identifier and remembers it. When no EHR is
 * configured, or it cannot be reached, the patient stays linked by identifier only; the EHR
 * publisher tries again later.
 */
@ApplicationScoped
public class EhrPatients {
    private static final Logger LOG = Logger.getLogger(EhrPatients.class);

    @Inject
    PatientLinks links;

    @Inject
    Clock clock;

    private final Optional<EhrClient> client;

    @Inject
    public EhrPatients(EhrConfig config) {
        this.client = config.url().map(url -> new EhrClient(clientSettings(config)));
    }

    /**
     * The EHR client's settings, checked at start-up: {@code https://} gets TLS under the BCP 195 policy
     * with the configured CA and client certificate; the bearer token never travels over plain http except
     * to a loopback EHR with {@code plain-http-on-loopback=true}.
     */
    static EhrSettings clientSettings(EhrConfig config) {
        var url = config.url().orElseThrow();
        var settings = EhrSettings.of(url.toString()).withTimeouts(config.timeout(), config.timeout())
                .withMaxResponseBytes(config.maxResponseBytes());
        if ("https".equalsIgnoreCase(url.getScheme())) {
            var tls = ClientTls.of(TlsSettings.of("photobridge.ehr.tls.", config.tls()));
            settings = settings.withTls(new EhrTls(tls.context(), tls.protocols(), tls.cipherSuites(),
                    tls.settings().verifyHostname()));
        } else if (config.tls().enabled()) {
            throw new IllegalStateException("photobridge.ehr.url is plain http:// but photobridge.ehr.tls.enabled=true:"
                    + " use https://");
        } else if (config.bearerToken().isPresent()) {
            if (!LoopbackHosts.isLoopback(url.getHost())) {
                throw new IllegalStateException("photobridge.ehr.url is plain http:// to a host that is not loopback, and "
                        + "photobridge.ehr.bearer-token would travel in clear: use https://");
            }
            if (!config.plainHttpOnLoopback()) {
                throw new IllegalStateException("photobridge.ehr.url is plain http:// and photobridge.ehr.bearer-token is "
                        + "set: use https://, or for an EHR on this machine set photobridge.ehr.plain-http-on-loopback=true");
            }
        }
        return config.bearerToken().map(settings::withBearerToken).orElse(settings);
    }

    /** Whether the EHR client presents a client certificate (for failure reasons). */
    static boolean clientCertificate(EhrConfig config) {
        return TlsSettings.of("photobridge.ehr.tls.", config.tls()).hasClientCertificate();
    }

    public Optional<EhrClient> client() {
        return client;
    }

    @Transactional
    public Optional<String> known(BusinessIdentifier patient) {
        return links.reference(patient);
    }

    /** The patient's EHR reference: remembered, or asked of the EHR now (empty when unknown or unreachable). */
    public Optional<String> resolve(BusinessIdentifier patient) {
        Optional<String> known = known(patient);
        if (known.isPresent() || client.isEmpty()) {
            return known;
        }
        try {
            Optional<String> found = client.get().resolvePatient(patient);
            found.ifPresent(reference -> remember(patient, reference));
            return found;
        } catch (EhrException e) {
            LOG.warnf("could not resolve a patient in the EHR now: %s", e.getMessage());
            return Optional.empty();
        }
    }

    @Transactional
    void remember(BusinessIdentifier patient, String reference) {
        links.remember(patient, reference, clock.instant());
    }
}
