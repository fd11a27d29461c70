package org.photobridge.fhir;

import ca.uhn.fhir.context.FhirContext;

/** The one FHIR R4 context the project shares: creating a context is expensive. */
public final class FhirContexts {
    private static final FhirContext R4 = FhirContext.forR4Cached();

    private FhirContexts() {
    }

    public static FhirContext r4() {
        return R4;
    }
}
