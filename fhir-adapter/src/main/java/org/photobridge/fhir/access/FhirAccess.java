package org.photobridge.fhir.access;

import java.util.List;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.fhir.imaging.StudyView;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;

/**
 * The port through which the FHIR providers ask the gateway's access policy about the caller of
 * the current request, and report what they served for the audit trail. The gateway implements
 * it; the providers never decide access themselves.
 */
public interface FhirAccess {

    /** Reading one named patient's consents or studies. */
    Answer patientRecords();

    /** Searches and history that name no patient. */
    Answer acrossPatients();

    /** Whether the caller may receive signed consent forms ({@code sourceAttachment.data}). */
    boolean seesSignedForms();

    /**
     * Storing a new Consent. A Consent that denies, or is not active, changes the patient's
     * consent and is held to the same rule as an update.
     */
    Answer recordConsent(ConsentTerms consent);

    /** Storing a new version of an existing Consent (including withdrawal). */
    Answer changeConsent(ConsentTerms before, ConsentTerms after);

    /** The study as this caller may see it: series and instances of other departments left out; empty when nothing is left. */
    Optional<StudyView> visible(StudyView study);

    /** Reading or searching the audit trail. */
    Answer auditTrail();

    /** Records an audit entry attributed to the caller. */
    void audit(AuditAction action, boolean success, Optional<BusinessIdentifier> patient, List<String> entities,
            String detail);

    /** Permit, or deny with a reason that names the rule (never patient data). */
    record Answer(boolean permitted, String reason) {
        public static Answer permit() {
            return new Answer(true, "permitted");
        }

        public static Answer deny(String reason) {
            return new Answer(false, reason);
        }

        /** Throws 403 with the reason when denied. */
        public void require() {
            if (!permitted) {
                throw new ForbiddenOperationException(reason);
            }
        }
    }
}
