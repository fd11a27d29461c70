package org.photobridge.gateway.routing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness includes a live check (C-ECHO or HTTP probe) of every destination, so operators see a
 * PACS outage in {@code /q/health/ready}. Uploads are still accepted and queued while a PACS is down.
 */
@Readiness
@ApplicationScoped
public class DestinationsReadiness implements HealthCheck {

    @Inject
    Destinations destinations;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("destinations");
        boolean allUp = true;
        for (Destination destination : destinations.all()) {
            var reach = destination.check();
            response.withData(destination.name(), (reach.reachable() ? "UP: " : "DOWN: ") + reach.detail());
            allUp &= reach.reachable();
        }
        return response.status(allUp).build();
    }
}
