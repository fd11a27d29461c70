package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.IdType;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.TestFhirServer;

/** After a withdrawal, status search sees the current version and history still shows both. */
class ConsentWithdrawalSearchTest {

    @Test
    void withdrawnConsentIsFoundAsInactiveAndNoLongerAsActive() {
        try (var server = TestFhirServer.start()) {
            var client = server.client("clinician");
            String kept = client.create().resource(ConsentFixtures.allScopes("MRN-W1")).execute().getId().getIdPart();
            String withdrawn = client.create().resource(ConsentFixtures.allScopes("MRN-W2")).execute().getId().getIdPart();
            Consent c = client.read().resource(Consent.class).withId(withdrawn).execute();
            c.setStatus(ConsentState.INACTIVE);
            client.update().resource(c).execute();

            assertEquals(List.of(kept), ids(client.search().byUrl("Consent?status=active").returnBundle(Bundle.class).execute()));
            assertEquals(List.of(withdrawn), ids(client.search().byUrl("Consent?status=inactive").returnBundle(Bundle.class).execute()));
            var both = client.search().byUrl("Consent?status=active,inactive").returnBundle(Bundle.class).execute();
            assertEquals(2, both.getTotal());

            var compliance = server.client("compliance-officer");
            var history = compliance.history().onInstance(new IdType("Consent", withdrawn)).returnBundle(Bundle.class).execute();
            assertEquals(List.of("inactive", "active"), history.getEntry().stream()
                    .map(e -> ((Consent) e.getResource()).getStatus().toCode()).toList());
            assertEquals(List.of("PUT", "POST"), history.getEntry().stream()
                    .map(e -> e.getRequest().getMethod().toCode()).toList());
        }
    }

    private static List<String> ids(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
