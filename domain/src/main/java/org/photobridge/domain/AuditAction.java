package org.photobridge.domain;

/** The audited actions. The FHIR mapping (type/subtype codes) lives in the AuditEvent mapper. */
public enum AuditAction {
    CONSENT_CREATED,
    CONSENT_UPDATED,
    CONSENT_WITHDRAWN,
    PHOTO_STORED,
    PHOTO_VIEWED,
    PHOTO_EXPORTED,
    PHOTO_WITHDRAWN,
    ACCESS_DENIED,
    /** A photo accepted at upload (202), attributed to the photographer. */
    PHOTO_ACCEPTED,
    /** An operator requeued failed work: a delivery, a withdrawal action or an EHR publication. */
    DELIVERY_RETRIED,
    /** A read of one patient's record: a Consent, an ImagingStudy, a photo's status (IHE BALP PatientRead). */
    PATIENT_READ,
    /** A search that returned (or could return) patients' records (IHE BALP PatientQuery). */
    PATIENT_QUERY,
    /** A read or search of the audit trail itself (DICOM "Audit Log Used"). */
    AUDIT_LOG_USED,
    /** An operator listed the gateway's outbound work queue (states and reasons; no patient data). */
    WORK_QUEUE_READ,
    /**
     * Stored data failed an integrity check: a local copy that does not decrypt (wrong key, tampering,
     * a blob moved to another photo) or an object whose SOP Instance UID or Patient ID is not the
     * photo's (DICOM "Security Alert").
     */
    SECURITY_ALERT,
    /** The re-encryption of stored photos and signed forms under the active storage key started or ended. */
    STORE_KEY_ROTATION,
    /** A clinician broke the glass: emergency access to a photo outside their departments, with the reason. */
    BREAK_GLASS
}
