package org.photobridge.fhir.audit;

/** The audited actions. The FHIR mapping (type/subtype codes) lives in the AuditEvent mapper. */
public enum AuditAction {
    CONSENT_CREATED,
    CONSENT_UPDATED,
    CONSENT_WITHDRAWN,
    PHOTO_STORED,
    PHOTO_VIEWED,
    PHOTO_EXPORTED,
    PHOTO_WITHDRAWN,
    ACCESS_DENIED
}
