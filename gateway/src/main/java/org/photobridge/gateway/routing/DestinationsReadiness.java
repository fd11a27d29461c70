package org.photobridge.gateway.routing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.photobridge.gateway.pacs.DestinationChecks;

/**
 * Readiness includes the check (C-ECHO or HTTP probe) of every destination, so operators see a
 * PACS outage in {@code /q/health/ready}. Uploads are still accepted and queued while a PACS is down.
 * The checks are {@link DestinationChecks}' cached ones, renewed at most once per
 * {@code photobridge.destination-check.max-age}: anyone may call readiness, and must not be able to
 * make the gateway hammer the PACS.
 * {@code /q/health} is public, so the check says UP or DOWN and nothing else: no destination names,
 * hosts, AE titles, URLs or reasons. Administrators read those at {@code GET /api/v1/work/destinations}.
 *
 * <p>It stays in {@code routing} although the destinations live in {@code pacs}: operators switch it
 * off by its class name ({@code quarkus.smallrye-health.check."org.photobridge.gateway.routing.DestinationsReadiness".enabled},
 * set in deploy/kubernetes/configmap.yaml), so moving it would silently change that setting.
 */
@Readiness
@ApplicationScoped
public class DestinationsReadiness implements HealthCheck {

    @Inject
    DestinationChecks checks;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("destinations").status(checks.allReachable()).build();
    }
}
