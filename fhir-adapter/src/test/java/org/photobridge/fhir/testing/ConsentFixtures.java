package org.photobridge.fhir.testing;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.photobridge.fhir.consent.ConsentCodes;
import org.photobridge.domain.ConsentScope;
import org.photobridge.fhir.consent.ConsentValidator;

/** Photography consents of every shape docs/fhir.md describes, made fresh for each test. */
public final class ConsentFixtures {

    public static final String PATIENT_SYSTEM = "urn:oid:1.2.3.4.5";
    public static final String CONSENT_ID_SYSTEM = "urn:oid:1.2.3.4.7";

    private ConsentFixtures() {
    }

    /** A valid consent with no provision choices yet: base permit, no purposes (every scope). */
    public static Consent skeleton(String mrn) {
        var c = new Consent();
        c.setStatus(ConsentState.ACTIVE);
        c.getScope().addCoding(new Coding(ConsentCodes.SCOPE_SYSTEM, ConsentCodes.SCOPE_PATIENT_PRIVACY, "Privacy Consent"));
        c.addCategory().addCoding(new Coding(ConsentCodes.LOINC, ConsentCodes.CATEGORY_CONSENT_DOCUMENT, "Patient Consent"));
        c.getPatient().setIdentifier(new Identifier().setSystem(PATIENT_SYSTEM).setValue(mrn));
        c.setDateTimeElement(new DateTimeType("2026-11-20T10:00:00Z"));
        c.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"));
        c.getProvision().setType(ConsentProvisionType.PERMIT);
        return c;
    }

    /** Clinical care only: base deny, one nested permit for TREAT. */
    public static Consent clinicalCareOnly(String mrn) {
        var c = skeleton(mrn);
        c.getProvision().setType(ConsentProvisionType.DENY);
        c.getProvision().addProvision().setType(ConsentProvisionType.PERMIT)
                .addPurpose(ConsentCodes.purpose(ConsentScope.CLINICAL_CARE));
        return c;
    }

    /** Every scope: one permit provision listing clinical care, teaching, publication and marketing. */
    public static Consent allScopes(String mrn) {
        var c = skeleton(mrn);
        for (var scope : new ConsentScope[] {ConsentScope.CLINICAL_CARE, ConsentScope.TEACHING,
                ConsentScope.PUBLICATION, ConsentScope.MARKETING}) {
            c.getProvision().addPurpose(ConsentCodes.purpose(scope));
        }
        // Uses beyond care need the patient's signed form.
        return withSignedForm(c, signedFormBytes());
    }

    /** Clinical care and teaching permitted, marketing explicitly denied. */
    public static Consent teachingButNoMarketing(String mrn) {
        var c = skeleton(mrn);
        c.getProvision().setType(ConsentProvisionType.DENY);
        c.getProvision().addProvision().setType(ConsentProvisionType.PERMIT)
                .addPurpose(ConsentCodes.purpose(ConsentScope.CLINICAL_CARE))
                .addPurpose(ConsentCodes.purpose(ConsentScope.TEACHING));
        c.getProvision().addProvision().setType(ConsentProvisionType.DENY)
                .addPurpose(ConsentCodes.purpose(ConsentScope.MARKETING));
        return withSignedForm(c, signedFormBytes());
    }

    /** Clinical care, plus release for one named conference during its period. */
    public static Consent specificUse(String mrn) {
        var c = clinicalCareOnly(mrn);
        var p = c.getProvision().addProvision().setType(ConsentProvisionType.PERMIT)
                .addPurpose(ConsentCodes.purpose(ConsentScope.SPECIFIC_USE));
        p.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2027-03-01"))
                .setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2027-03-31")));
        p.addExtension(ConsentCodes.SPECIFIC_USE_DESCRIPTION,
                new StringType("European Congress of Plastic Surgery 2027, Vienna: one talk"));
        return c;
    }

    /** Consent naming the photos the patient was shown: one ImagingStudy and one DICOM instance. */
    public static Consent namingPhotos(String mrn, String imagingStudyId, String sopInstanceUid) {
        var c = skeleton(mrn);
        c.getProvision().setType(ConsentProvisionType.DENY);
        var p = c.getProvision().addProvision().setType(ConsentProvisionType.PERMIT)
                .addPurpose(ConsentCodes.purpose(ConsentScope.CLINICAL_CARE))
                .addPurpose(ConsentCodes.purpose(ConsentScope.PUBLICATION));
        p.addData().setMeaning(Consent.ConsentDataMeaning.INSTANCE)
                .setReference(new Reference("ImagingStudy/" + imagingStudyId));
        p.addData().setMeaning(Consent.ConsentDataMeaning.INSTANCE)
                .setReference(new Reference().setIdentifier(new Identifier()
                        .setSystem(ConsentCodes.DICOM_UID_SYSTEM).setValue("urn:oid:" + sopInstanceUid)));
        return withSignedForm(c, signedFormBytes());
    }

    /** The signed form attached with its SHA-256 (and R4's SHA-1 Attachment.hash). */
    public static Consent withSignedForm(Consent c, byte[] pdf) {
        var a = new Attachment().setContentType("application/pdf").setData(pdf).setTitle("Signed photography consent");
        a.setCreationElement(new DateTimeType(new Date(), ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND));
        a.addExtension(ConsentCodes.ATTACHMENT_SHA256, new StringType(ConsentValidator.sha256Hex(pdf)));
        try {
            a.setHash(java.security.MessageDigest.getInstance("SHA-1").digest(pdf));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        c.setSource(a);
        return c;
    }

    public static byte[] signedFormBytes() {
        return "%PDF-1.4\n% photography consent signed by the patient\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
    }

    public static Consent withIdentifier(Consent c, String value) {
        c.addIdentifier().setSystem(CONSENT_ID_SYSTEM).setValue(value);
        return c;
    }
}
