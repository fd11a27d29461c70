package org.photobridge.gateway.routing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.photobridge.gateway.pacs.Destination;
import org.photobridge.gateway.pacs.Destinations;

/**
 * Readiness includes a live check (C-ECHO or HTTP probe) of every destination, so operators see a
 * PACS outage in {@code /q/health/ready}. Uploads are still accepted and queued while a PACS is down.
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
    Destinations destinations;

    @Override
    public HealthCheckResponse call() {
        boolean allUp = true;
        for (Destination destination : destinations.all()) {
            allUp &= destination.check().reachable();
        }
        return HealthCheckResponse.named("destinations").status(allUp).build();
    }
}
