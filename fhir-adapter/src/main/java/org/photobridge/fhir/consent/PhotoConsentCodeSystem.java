package org.photobridge.fhir.consent;

import java.util.Date;

import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;

/** Our CodeSystem for the photography consent purposes that have no standard code (publication, specific use). */
public final class PhotoConsentCodeSystem {

    public static final String ID = "photo-consent-purpose";
    public static final String VERSION = "1.0.0";
    // Fixed so that every replica publishes byte-identical metadata.
    private static final Date PUBLISHED = Date.from(java.time.Instant.parse("2026-01-01T00:00:00Z"));

    private PhotoConsentCodeSystem() {
    }

    /** A fresh copy of the CodeSystem resource (callers may modify it). */
    public static CodeSystem build() {
        var cs = new CodeSystem();
        cs.setId(ID);
        cs.getMeta().setVersionId("1").setLastUpdated(PUBLISHED);
        cs.setUrl(ConsentCodes.PURPOSE_SYSTEM);
        cs.setVersion(VERSION);
        cs.setName("PhotoConsentPurpose");
        cs.setTitle("PhotoBridge photography consent purposes");
        cs.setStatus(PublicationStatus.ACTIVE);
        cs.setExperimental(false);
        cs.setDate(PUBLISHED);
        cs.setPublisher("PhotoBridge");
        cs.setDescription("Purposes of use of clinical photographs that a patient may consent to and that no"
                + " standard code system covers. Used in Consent.provision.purpose beside v3 ActReason TREAT,"
                + " TRAIN and HMARKT.");
        cs.setCaseSensitive(true);
        cs.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
        cs.addConcept()
                .setCode(ConsentCodes.PUBLICATION)
                .setDisplay("Publication")
                .setDefinition("Use of the photographs in journals, books and conference presentations,"
                        + " with identifying features removed where possible.");
        cs.addConcept()
                .setCode(ConsentCodes.SPECIFIC_USE)
                .setDisplay("Specific use")
                .setDefinition("A partial release of the photographs for one named use (for example one"
                        + " conference), for a stated period; the use is described in the provision's"
                        + " specific-use-description extension.");
        cs.setCount(cs.getConcept().size());
        return cs;
    }
}
