package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentTerms;
import org.photobridge.domain.ConsentScope;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.photobridge.fhir.FhirContexts;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;

/**
 * Checks an incoming Consent against the FHIR R4 base specification (HAPI's instance validator, offline)
 * and then against PhotoBridge's photography consent profile (docs/fhir.md). Thread-safe; build one
 * per application and call {@link #warmUp()} at start-up, because the first validation loads the
 * R4 definitions and takes seconds.
 */
public final class ConsentValidator {

    private static final Pattern IMAGING_STUDY_REFERENCE = Pattern.compile("ImagingStudy/[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern OID_URN = Pattern.compile("urn:oid:[0-2](\\.(0|[1-9][0-9]*))+");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final FhirContext context;
    private final FhirValidator baseValidator;

    public ConsentValidator() {
        this.context = FhirContexts.r4();
        var ours = new PrePopulatedValidationSupport(context);
        ours.addCodeSystem(PhotoConsentCodeSystem.build());
        var chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(context),
                new CommonCodeSystemsTerminologyService(context),
                new InMemoryTerminologyServerValidationSupport(context),
                new SnapshotGeneratingValidationSupport(context),
                ours);
        var instanceValidator = new FhirInstanceValidator(chain);
        // Our two extensions are documented in docs/fhir.md rather than published as StructureDefinitions.
        instanceValidator.setAnyExtensionsAllowed(true);
        instanceValidator.setCustomExtensionDomains("http://photobridge.org/fhir/");
        this.baseValidator = context.newValidator();
        baseValidator.registerValidatorModule(instanceValidator);
    }

    /** Loads the R4 definitions by validating a small Consent, so the first real request is fast. */
    public void warmUp() {
        var consent = new Consent();
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.getScope().addCoding(new Coding(ConsentCodes.SCOPE_SYSTEM, ConsentCodes.SCOPE_PATIENT_PRIVACY, null));
        consent.addCategory().addCoding(new Coding(ConsentCodes.LOINC, ConsentCodes.CATEGORY_CONSENT_DOCUMENT, null));
        consent.getPatient().getIdentifier().setSystem("urn:oid:1.2.3").setValue("warm-up");
        consent.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", null));
        consent.getProvision().setType(ConsentProvisionType.PERMIT)
                .addPurpose(ConsentCodes.purpose(ConsentScope.CLINICAL_CARE));
        validate(consent);
    }

    /** Validates a parsed Consent. */
    public Result validate(Consent consent) {
        return validate(consent, null);
    }

    /**
     * Validates a Consent as received. {@code receivedText}, the request body as sent (JSON or XML),
     * is what the base validator checks when given, because the parser drops some invalid values
     * (an unknown status code, for example) that the validator must see.
     */
    public Result validate(Consent consent, String receivedText) {
        var issues = new ArrayList<Issue>();
        var base = receivedText == null || receivedText.isBlank()
                ? baseValidator.validateWithResult(consent)
                : baseValidator.validateWithResult(receivedText);
        for (SingleValidationMessage m : base.getMessages()) {
            if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) {
                issues.add(new Issue(IssueType.PROCESSING, m.getLocationString(), m.getMessage()));
            }
        }
        new ProfileRules(issues).check(consent);
        return new Result(List.copyOf(issues));
    }

    /** One problem found in a Consent: an OperationOutcome issue of severity error. */
    public record Issue(IssueType code, String expression, String message) {
    }

    /** The outcome of validation: valid when it lists no issue. */
    public record Result(List<Issue> issues) {
        public boolean isValid() {
            return issues.isEmpty();
        }

        public OperationOutcome toOperationOutcome() {
            var outcome = new OperationOutcome();
            for (Issue issue : issues) {
                var i = outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(issue.code()).setDiagnostics(issue.message());
                if (issue.expression() != null) {
                    i.addExpression(issue.expression());
                    i.addLocation(issue.expression());
                }
            }
            return outcome;
        }
    }

    /** PhotoBridge's profile on top of R4: what the gateway needs to link, enforce and prove a consent. */
    private static final class ProfileRules {
        private static final Set<ConsentScope> FORM_REQUIRED =
                EnumSet.of(ConsentScope.TEACHING, ConsentScope.PUBLICATION, ConsentScope.MARKETING);
        private final List<Issue> issues;

        ProfileRules(List<Issue> issues) {
            this.issues = issues;
        }

        void check(Consent c) {
            if (!c.hasStatus()) {
                error(IssueType.REQUIRED, "Consent.status", "Consent.status is required");
            }
            if (c.getScope().getCoding().stream().noneMatch(x -> ConsentCodes.SCOPE_SYSTEM.equals(x.getSystem())
                    && ConsentCodes.SCOPE_PATIENT_PRIVACY.equals(x.getCode()))) {
                error(IssueType.CODEINVALID, "Consent.scope", "Consent.scope must be " + ConsentCodes.SCOPE_SYSTEM
                        + "|" + ConsentCodes.SCOPE_PATIENT_PRIVACY);
            }
            boolean photoCategory = c.getCategory().stream().flatMap(cc -> cc.getCoding().stream())
                    .anyMatch(x -> ConsentCodes.LOINC.equals(x.getSystem())
                            && ConsentCodes.CATEGORY_CONSENT_DOCUMENT.equals(x.getCode()));
            if (!photoCategory) {
                error(IssueType.CODEINVALID, "Consent.category", "Consent.category must include "
                        + ConsentCodes.LOINC + "|" + ConsentCodes.CATEGORY_CONSENT_DOCUMENT);
            }
            checkPatient(c);
            if (!c.hasProvision() || c.getProvision().isEmpty()) {
                error(IssueType.REQUIRED, "Consent.provision", "Consent.provision is required: it records what the"
                        + " patient permitted or denied");
            } else {
                checkProvision(c.getProvision(), "Consent.provision");
            }
            if (c.hasSourceReference()) {
                error(IssueType.NOTSUPPORTED, "Consent.source", "send the signed form as Consent.sourceAttachment"
                        + " (with its data and SHA-256), not as a reference, so that it can be verified on receipt");
            }
            if (c.hasSourceAttachment()) {
                checkAttachment(c.getSourceAttachment(), "Consent.source.ofType(Attachment)");
            } else if (c.hasProvision() && permitsUseBeyondCare(c.getProvision())) {
                error(IssueType.REQUIRED, "Consent.source.ofType(Attachment)", "a permit for teaching, publication"
                        + " or marketing needs the patient's signed form in Consent.sourceAttachment (data and"
                        + " SHA-256)");
            }
        }

        /** Teaching, publication and marketing go beyond the patient's care: they need the signed form. */
        private static boolean permitsUseBeyondCare(ProvisionComponent p) {
            boolean permit = p.getType() != Consent.ConsentProvisionType.DENY;
            if (permit && p.getPurpose().stream().map(ConsentCodes::scopeOf).flatMap(Optional::stream)
                    .anyMatch(FORM_REQUIRED::contains)) {
                return true;
            }
            return p.getProvision().stream().anyMatch(ProfileRules::permitsUseBeyondCare);
        }

        private void checkPatient(Consent c) {
            if (!c.hasPatient() || c.getPatient().isEmpty()) {
                error(IssueType.REQUIRED, "Consent.patient", "Consent.patient is required");
                return;
            }
            var id = c.getPatient().getIdentifier();
            if (!id.hasSystem() || !id.hasValue()) {
                error(IssueType.REQUIRED, "Consent.patient.identifier", "Consent.patient.identifier with system and"
                        + " value is required: consents are linked to the patient by identifier");
            }
        }

        private void checkProvision(ProvisionComponent p, String path) {
            if (!p.hasType()) {
                error(IssueType.REQUIRED, path + ".type", path + ".type is required (permit or deny)");
            }
            boolean specificUse = false;
            for (int i = 0; i < p.getPurpose().size(); i++) {
                Coding purpose = p.getPurpose().get(i);
                var scope = ConsentCodes.scopeOf(purpose);
                if (scope.isEmpty()) {
                    error(IssueType.CODEINVALID, path + ".purpose[" + i + "]", "unknown purpose code "
                            + purpose.getSystem() + "|" + purpose.getCode() + "; allowed: "
                            + String.join(", ", Arrays.stream(ConsentScope.values()).map(ConsentCodes::token).toList()));
                } else if (scope.get() == ConsentScope.SPECIFIC_USE) {
                    specificUse = true;
                }
            }
            if (p.hasPeriod() && p.getPeriod().hasStart() && p.getPeriod().hasEnd()
                    && p.getPeriod().getStart().after(p.getPeriod().getEnd())) {
                error(IssueType.VALUE, path + ".period", path + ".period ends before it starts");
            }
            if (specificUse) {
                if (!p.hasPeriod() || !p.getPeriod().hasStart() || !p.getPeriod().hasEnd()) {
                    error(IssueType.REQUIRED, path + ".period", "a specific-use provision needs a period with start"
                            + " and end");
                }
                if (!hasDescription(p)) {
                    error(IssueType.REQUIRED, path + ".extension('" + ConsentCodes.SPECIFIC_USE_DESCRIPTION + "')",
                            "a specific-use provision needs a description of the use (extension "
                                    + ConsentCodes.SPECIFIC_USE_DESCRIPTION + ", valueString)");
                }
            }
            for (int i = 0; i < p.getData().size(); i++) {
                checkDataReference(p.getData().get(i).getReference(), path + ".data[" + i + "].reference");
            }
            for (int i = 0; i < p.getProvision().size(); i++) {
                checkProvision(p.getProvision().get(i), path + ".provision[" + i + "]");
            }
        }

        private void checkDataReference(Reference r, String path) {
            if (r.hasReference()) {
                if (!IMAGING_STUDY_REFERENCE.matcher(r.getReference()).matches()) {
                    error(IssueType.VALUE, path, path + " must be ImagingStudy/<id> or an identifier reference with"
                            + " system " + ConsentCodes.DICOM_UID_SYSTEM);
                }
                return;
            }
            var id = r.getIdentifier();
            if (!ConsentCodes.DICOM_UID_SYSTEM.equals(id.getSystem()) || !id.hasValue()
                    || !OID_URN.matcher(id.getValue()).matches()) {
                error(IssueType.VALUE, path, path + " must be ImagingStudy/<id> or an identifier with system "
                        + ConsentCodes.DICOM_UID_SYSTEM + " and value urn:oid:<Study or SOP Instance UID>");
            }
        }

        private void checkAttachment(Attachment a, String path) {
            if (!a.hasData()) {
                error(IssueType.REQUIRED, path + ".data", "the signed form must be sent in " + path
                        + ".data so that its SHA-256 can be verified on receipt");
                return;
            }
            byte[] data = a.getData();
            var sha256 = a.getExtensionByUrl(ConsentCodes.ATTACHMENT_SHA256);
            String sha256Path = path + ".extension('" + ConsentCodes.ATTACHMENT_SHA256 + "')";
            if (sha256 == null || !(sha256.getValue() instanceof StringType s) || !s.hasValue()) {
                error(IssueType.REQUIRED, sha256Path, "the signed form needs its SHA-256 (extension "
                        + ConsentCodes.ATTACHMENT_SHA256 + ", valueString, 64 hex digits)");
            } else if (!SHA256_HEX.matcher(s.getValue()).matches()) {
                error(IssueType.VALUE, sha256Path, "the SHA-256 of the signed form must be 64 hex digits");
            } else if (!sha256Hex(data).equals(s.getValue().toLowerCase(Locale.ROOT))) {
                error(IssueType.VALUE, sha256Path, "sourceAttachment hash does not match its data (SHA-256)");
            }
            if (a.hasHash() && !Arrays.equals(a.getHash(), digest("SHA-1", data))) {
                error(IssueType.VALUE, path + ".hash", "sourceAttachment hash does not match its data (Attachment.hash,"
                        + " SHA-1)");
            }
        }

        private static boolean hasDescription(ProvisionComponent p) {
            Extension e = p.getExtensionByUrl(ConsentCodes.SPECIFIC_USE_DESCRIPTION);
            return e != null && e.getValue() instanceof StringType s && s.hasValue() && !s.getValue().isBlank();
        }

        private void error(IssueType code, String expression, String message) {
            issues.add(new Issue(code, expression, message));
        }
    }

    /** Lower-case hex SHA-256, the form of the attachment-sha256 extension and of ConsentTerms.formSha256. */
    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("SHA-256", data));
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every JVM", e);
        }
    }
}
