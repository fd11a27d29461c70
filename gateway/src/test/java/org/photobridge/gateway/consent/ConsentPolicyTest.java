package org.photobridge.gateway.consent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.domain.ConsentTerms.Provision;

class ConsentPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final BusinessIdentifier PATIENT = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-1");
    private static final ConsentPolicy.PhotoRef PHOTO = new ConsentPolicy.PhotoRef("study-1", "2.25.1", "2.25.2");
    private static final ConsentPolicy.PhotoRef OTHER = new ConsentPolicy.PhotoRef("study-9", "2.25.9", "2.25.8");

    private static ConsentTerms consent(String status, Provision... provisions) {
        return new ConsentTerms("c", 1, status, PATIENT, Optional.empty(), Optional.of(NOW), List.of(provisions),
                Optional.empty());
    }

    private static Provision permit(ConsentScope... scopes) {
        return new Provision(true, List.of(scopes), Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    private static Provision deny(ConsentScope... scopes) {
        return new Provision(false, List.of(scopes), Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    }

    private static boolean permitted(List<ConsentTerms> consents, ConsentScope scope, ConsentPolicy.PhotoRef photo) {
        return ConsentPolicy.decide(consents, scope, Optional.ofNullable(photo), NOW).permitted();
    }

    @Test
    void nestedPermitIsAnExceptionToABaseDeny() {
        var clinicalOnly = consent("active", deny(), permit(ConsentScope.CLINICAL_CARE));
        assertTrue(permitted(List.of(clinicalOnly), ConsentScope.CLINICAL_CARE, PHOTO));
        assertFalse(permitted(List.of(clinicalOnly), ConsentScope.TEACHING, PHOTO));
    }

    @Test
    void inactiveConsentCoversNothing() {
        assertFalse(permitted(List.of(consent("inactive", permit())), ConsentScope.CLINICAL_CARE, PHOTO));
        assertFalse(permitted(List.of(), ConsentScope.CLINICAL_CARE, null));
    }

    @Test
    void aDenyInAnyActiveConsentWins() {
        var broad = consent("active", permit());
        var noMarketing = consent("active", permit(), deny(ConsentScope.MARKETING));
        assertFalse(permitted(List.of(broad, noMarketing), ConsentScope.MARKETING, PHOTO));
        assertTrue(permitted(List.of(broad, noMarketing), ConsentScope.TEACHING, PHOTO));
    }

    @Test
    void specificUseCountsOnlyInsideItsPeriod() {
        var conference = new Provision(true, List.of(ConsentScope.SPECIFIC_USE),
                Optional.of(Instant.parse("2027-03-01T00:00:00Z")), Optional.of(Instant.parse("2027-03-31T00:00:00Z")),
                List.of(), Optional.of("one talk"));
        var consents = List.of(consent("active", conference));
        assertFalse(ConsentPolicy.decide(consents, ConsentScope.SPECIFIC_USE, Optional.of(PHOTO), NOW).permitted());
        assertTrue(ConsentPolicy.decide(consents, ConsentScope.SPECIFIC_USE, Optional.of(PHOTO),
                Instant.parse("2027-03-10T00:00:00Z")).permitted());
    }

    @Test
    void provisionNamingPhotosCoversOnlyThoseAndNoNewCapture() {
        var shown = new Provision(true, List.of(ConsentScope.PUBLICATION), Optional.empty(), Optional.empty(),
                List.of("ImagingStudy/study-1", "urn:dicom:uid:2.25.77"), Optional.empty());
        var consents = List.of(consent("active", shown));
        assertTrue(permitted(consents, ConsentScope.PUBLICATION, PHOTO));
        assertFalse(permitted(consents, ConsentScope.PUBLICATION, OTHER));
        assertFalse(permitted(consents, ConsentScope.PUBLICATION, null));
        var bySop = List.of(consent("active", new Provision(true, List.of(), Optional.empty(), Optional.empty(),
                List.of("urn:dicom:uid:2.25.8"), Optional.empty())));
        assertTrue(permitted(bySop, ConsentScope.CLINICAL_CARE, OTHER));
    }

    @Test
    void refusalReasonNamesTheScopeAndNoPatientData() {
        var decision = ConsentPolicy.decide(List.of(consent("active", deny(ConsentScope.MARKETING))),
                ConsentScope.MARKETING, Optional.of(PHOTO), NOW);
        assertFalse(decision.permitted());
        assertTrue(decision.reason().contains("marketing"), decision.reason());
        assertFalse(decision.reason().contains("MRN"), decision.reason());
    }
}
