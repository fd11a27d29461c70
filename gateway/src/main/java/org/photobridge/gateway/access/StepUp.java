package org.photobridge.gateway.access;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Which photos need a second factor, and whether a caller's token shows one. */
@ApplicationScoped
public class StepUp {

    @Inject
    StepUpConfig config;

    /** Whether photos of this SNOMED CT body site need a second factor. */
    public boolean sensitive(String bodySiteCode) {
        return config.enabled() && bodySiteCode != null && Set.copyOf(config.sensitiveBodySites()).contains(bodySiteCode);
    }

    /** Whether the caller's token shows a second factor. */
    public boolean satisfiedBy(Caller caller) {
        return caller.acr() != null && config.acrValues().contains(caller.acr());
    }

    /** What a 401 asks the client to obtain ({@code acr_values}). */
    public String requiredAcr() {
        return config.acrValues().get(0);
    }
}
