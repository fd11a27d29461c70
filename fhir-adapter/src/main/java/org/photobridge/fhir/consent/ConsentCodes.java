package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentScope;
import java.util.Optional;

import org.hl7.fhir.r4.model.Coding;

/** The code systems, codes and extension URLs of PhotoBridge's photography Consent profile (docs/fhir.md). */
public final class ConsentCodes {

    public static final String SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";
    public static final String SCOPE_PATIENT_PRIVACY = "patient-privacy";

    public static final String LOINC = "http://loinc.org";
    /** LOINC "Consent Document": the category every photography consent carries. */
    public static final String CATEGORY_CONSENT_DOCUMENT = "59284-0";

    public static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public static final String TREAT = "TREAT";
    public static final String TRAIN = "TRAIN";
    public static final String HMARKT = "HMARKT";

    /** Canonical URL of our CodeSystem for the purposes no standard code covers. */
    public static final String PURPOSE_SYSTEM = "http://photobridge.org/fhir/CodeSystem/photo-consent-purpose";
    public static final String PUBLICATION = "publication";
    public static final String SPECIFIC_USE = "specific-use";

    /** Extension on Consent.provision (valueString): the named use of a specific-use provision. */
    public static final String SPECIFIC_USE_DESCRIPTION =
            "http://photobridge.org/fhir/StructureDefinition/specific-use-description";
    /** Extension on Attachment (valueString, 64 hex digits): SHA-256 of Attachment.data. */
    /** Boolean extension on Consent.sourceAttachment: the form's data was withheld from this reader. */
    public static final String FORM_WITHHELD = "http://photobridge.org/fhir/StructureDefinition/signed-form-withheld";
    public static final String ATTACHMENT_SHA256 = "http://photobridge.org/fhir/StructureDefinition/attachment-sha256";

    /** Identifier system for DICOM UIDs; values are {@code urn:oid:<uid>}. */
    public static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    /** Prefix of a DICOM UID data reference as the gateway stores it: {@code urn:dicom:uid:<uid>}. */
    public static final String DICOM_UID_PREFIX = "urn:dicom:uid:";

    private ConsentCodes() {
    }

    /** The provision.purpose Coding that stands for a gateway scope. */
    public static Coding purpose(ConsentScope scope) {
        return switch (scope) {
            case CLINICAL_CARE -> new Coding(ACT_REASON, TREAT, "treatment");
            case TEACHING -> new Coding(ACT_REASON, TRAIN, "training");
            case MARKETING -> new Coding(ACT_REASON, HMARKT, "healthcare marketing");
            case PUBLICATION -> new Coding(PURPOSE_SYSTEM, PUBLICATION, "Publication");
            case SPECIFIC_USE -> new Coding(PURPOSE_SYSTEM, SPECIFIC_USE, "Specific use");
        };
    }

    /** The gateway scope a purpose code stands for; empty for any code outside our five. */
    public static Optional<ConsentScope> scopeOf(String system, String code) {
        if (ACT_REASON.equals(system)) {
            return switch (code == null ? "" : code) {
                case TREAT -> Optional.of(ConsentScope.CLINICAL_CARE);
                case TRAIN -> Optional.of(ConsentScope.TEACHING);
                case HMARKT -> Optional.of(ConsentScope.MARKETING);
                default -> Optional.empty();
            };
        }
        if (PURPOSE_SYSTEM.equals(system)) {
            return switch (code == null ? "" : code) {
                case PUBLICATION -> Optional.of(ConsentScope.PUBLICATION);
                case SPECIFIC_USE -> Optional.of(ConsentScope.SPECIFIC_USE);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    public static Optional<ConsentScope> scopeOf(Coding coding) {
        return scopeOf(coding.getSystem(), coding.getCode());
    }

    /** The search token {@code system|code} of a scope's purpose. */
    public static String token(ConsentScope scope) {
        Coding c = purpose(scope);
        return c.getSystem() + "|" + c.getCode();
    }
}
