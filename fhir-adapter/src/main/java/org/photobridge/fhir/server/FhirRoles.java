package org.photobridge.fhir.server;

/** The realm roles that open the FHIR endpoint (issue 3's role matrix, docs/fhir.md). */
public final class FhirRoles {
    /** Reads and searches everything: Consent and its history, AuditEvent, ImagingStudy, CodeSystem. */
    public static final String COMPLIANCE_OFFICER = "compliance-officer";
    /** Creates and updates Consent; reads and searches Consent and ImagingStudy. */
    public static final String CLINICIAN = "clinician";
    /** Changes and withdraws consents of patients with photos in the holder's departments. */
    public static final String CONSENT_MANAGER = "consent-manager";
    /** Same FHIR rights as a clinician. */
    public static final String PHOTOGRAPHER = "photographer";

    private FhirRoles() {
    }
}
