package org.photobridge.gateway.fhir;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;

import org.photobridge.fhir.consent.ConsentValidator;

import io.quarkus.runtime.StartupEvent;

/** The FHIR validator, built once and warmed at start-up (its first validation takes seconds). */
@ApplicationScoped
public class FhirBeans {

    @Produces
    @ApplicationScoped
    ConsentValidator consentValidator() {
        return new ConsentValidator();
    }

    void warmUp(@Observes StartupEvent event, ConsentValidator validator) {
        validator.warmUp();
    }
}
