package org.photobridge.gateway.access;

import java.util.Collection;
import java.util.Set;

/**
 * The one access policy every door asks (REST, FHIR, DICOMweb, pages): who (roles, departments)
 * may do what to which patient's photos and consents. It decides from facts the door hands it and
 * never looks anything up, so each rule reads in one place; consent coverage of a photo for a
 * purpose is the consent policy's answer, asked after this one permits. The matrix it implements is
 * in docs/security.md.
 */
public final class AccessPolicy {

    /** Care roles: those who photograph or treat, scoped to their departments. */
    private static final Set<String> CARE_ROLES = Set.of(Roles.PHOTOGRAPHER, Roles.CLINICIAN, Roles.CONSENT_MANAGER);

    private AccessPolicy() {
    }

    /** What a caller wants to do with one photo. */
    public enum PhotoUse {
        /** Status, UIDs and delivery results (no pixels). */
        STATUS,
        /** Thumbnail or rendered image for the chart, or the DICOM object through DICOMweb. */
        VIEW,
        /** An export for teaching, publication, marketing or a specific use. */
        EXPORT,
        /** An operator's retry of a failed delivery. */
        RETRY
    }

    /**
     * What the policy weighs about one photo besides its access tags: whether the caller holds an
     * unexpired break-the-glass grant on it, whether its body site needs a second factor, and whether
     * the caller's token shows one. {@link PhotoGate} gathers these for the doors.
     */
    public record PhotoFacts(Collection<String> accessTags, boolean breakGlass, boolean secondFactorNeeded,
            boolean secondFactorShown) {

        /** Facts from the access tags alone: no grant, and no second factor asked for. */
        public static PhotoFacts ofTags(Collection<String> accessTags) {
            return new PhotoFacts(accessTags, false, false, false);
        }
    }

    /**
     * Whether the caller may use a photo with these access tags as asked, judged on the tags alone:
     * for the status reads of doors that cannot know a grant (FHIR ImagingStudy, duplicate detection).
     * Views and exports go through {@link PhotoGate}, which also weighs break-the-glass and step-up.
     */
    public static Decision photo(Caller caller, Collection<String> accessTags, PhotoUse use) {
        return photo(caller, PhotoFacts.ofTags(accessTags), use);
    }

    /**
     * Whether the caller may use the photo as asked. Status is for its departments' care roles, the
     * holder of a break-the-glass grant and administrators; viewing for its departments' care roles and
     * the grant's holder; exporting for its departments' clinicians (a grant never exports). Viewing or
     * exporting a photo whose body site needs a second factor asks for one, but only of callers who
     * would otherwise be permitted, so the answer never tells others that the photo exists.
     */
    public static Decision photo(Caller caller, PhotoFacts photo, PhotoUse use) {
        return switch (use) {
            case STATUS -> caller.hasRole(Roles.GATEWAY_ADMIN) ? Decision.permit()
                    : careInDepartmentsOrGrant(caller, photo, "see this photo");
            case VIEW -> secondFactor(careInDepartmentsOrGrant(caller, photo, "view this photo"), photo);
            case EXPORT -> exportList(caller).permitted()
                    ? secondFactor(careInDepartments(caller, photo.accessTags(), "export this photo"), photo)
                    : exportList(caller);
            case RETRY -> caller.hasRole(Roles.GATEWAY_ADMIN) ? Decision.permit()
                    : Decision.deny("retrying deliveries needs the gateway-admin role");
        };
    }

    /** Asking for break-the-glass access: clinicians only (the photo is then judged by {@link #photo}). */
    public static Decision breakGlass(Caller caller) {
        return caller.hasRole(Roles.CLINICIAN) ? Decision.permit()
                : Decision.deny("break-the-glass access is for clinicians");
    }

    /** The list of break-the-glass grants: compliance only. */
    public static Decision breakGlassList(Caller caller) {
        return caller.hasRole(Roles.COMPLIANCE_OFFICER) ? Decision.permit()
                : Decision.deny("the break-the-glass grants are for compliance only");
    }

    /**
     * Whether a caller may learn that other departments hold photos of a patient (the withheld count
     * and list): those who may break the glass.
     */
    public static boolean mayKnowWithheldPhotos(Caller caller) {
        return breakGlass(caller).permitted();
    }

    private static Decision careInDepartmentsOrGrant(Caller caller, PhotoFacts photo, String what) {
        var byDepartment = careInDepartments(caller, photo.accessTags(), what);
        if (byDepartment.permitted() || !photo.breakGlass() || !isCare(caller)) {
            return byDepartment;
        }
        return Decision.permitUnderBreakGlass();
    }

    private static Decision secondFactor(Decision decision, PhotoFacts photo) {
        if (decision.permitted() && photo.secondFactorNeeded() && !photo.secondFactorShown()) {
            return Decision.needsSecondFactor();
        }
        return decision;
    }

    /** Listing what may be exported for a purpose: clinicians (each photo then by {@link #photo}). */
    public static Decision exportList(Caller caller) {
        return caller.hasRole(Roles.CLINICIAN) ? Decision.permit() : Decision.deny("exports need the clinician role");
    }

    /** Upload under these access tags: photographers, into their own departments only. */
    public static Decision capture(Caller caller, Collection<String> accessTags) {
        if (!caller.hasRole(Roles.PHOTOGRAPHER)) {
            return Decision.deny("uploading photos needs the photographer role");
        }
        var missing = caller.missingDepartments(accessTags);
        return missing.isEmpty() ? Decision.permit()
                : Decision.deny("you are not a member of " + String.join(", ", missing)
                        + "; you may only file photos under your own departments");
    }

    /**
     * Reading one named patient's records (consents, studies, photo lists): care roles and
     * compliance. Care staff need a patient's consent before they photograph, so the patient need
     * not have photos in their department yet; what they see of the photos themselves is cut to
     * their departments by {@link #photo}.
     */
    public static Decision patientRecords(Caller caller) {
        if (caller.hasRole(Roles.COMPLIANCE_OFFICER) || isCare(caller)) {
            return Decision.permit();
        }
        return Decision.deny("reading patients' consents and studies needs a care role or compliance");
    }

    /** Searches and history across patients (no patient named): compliance only. */
    public static Decision acrossPatients(Caller caller) {
        if (caller.hasRole(Roles.COMPLIANCE_OFFICER)) {
            return Decision.permit();
        }
        return Decision.deny("name the patient (patient or patient:identifier); searching or paging through"
                + " every patient's records is for compliance only");
    }

    /** Whether studies are shown whole (compliance, which audits) or cut to the caller's departments. */
    public static boolean seesEveryDepartment(Caller caller) {
        return caller.hasRole(Roles.COMPLIANCE_OFFICER);
    }

    /** A consent's signed form (the scanned or drawn document itself): compliance and consent managers. */
    public static boolean seesSignedForms(Caller caller) {
        return caller.hasRole(Roles.COMPLIANCE_OFFICER) || caller.hasRole(Roles.CONSENT_MANAGER);
    }

    /**
     * Recording a new consent that only permits (taken at the bedside with the patient's signed
     * form): anyone in a care role.
     */
    public static Decision recordConsent(Caller caller) {
        return isCare(caller) ? Decision.permit()
                : Decision.deny("recording a consent needs a care role (photographer, clinician or consent-manager)");
    }

    /**
     * Changing or withdrawing a patient's consent (an update, or a new consent that denies or is not
     * active): compliance, or a consent manager of a department that holds photos of the patient
     * (any consent manager while the patient has none).
     *
     * @param patientDepartments the access tags of every photo the gateway holds of the patient
     */
    public static Decision changeConsent(Caller caller, Collection<String> patientDepartments) {
        if (caller.hasRole(Roles.COMPLIANCE_OFFICER)) {
            return Decision.permit();
        }
        if (!caller.hasRole(Roles.CONSENT_MANAGER)) {
            return Decision.deny("changing or withdrawing a consent needs the consent-manager role");
        }
        if (patientDepartments.isEmpty() || caller.maySee(patientDepartments)) {
            return Decision.permit();
        }
        return Decision.deny("only a consent manager of a department that holds this patient's photos may change"
                + " this consent");
    }

    /** The outbound work queue (states, reasons, requeueing): gateway administrators only. */
    public static Decision workQueue(Caller caller) {
        return caller.hasRole(Roles.GATEWAY_ADMIN) ? Decision.permit()
                : Decision.deny("the work queue is for gateway administrators");
    }

    /** The audit trail: compliance only. */
    public static Decision auditTrail(Caller caller) {
        return caller.hasRole(Roles.COMPLIANCE_OFFICER) ? Decision.permit()
                : Decision.deny("the audit trail is for compliance only");
    }

    private static Decision careInDepartments(Caller caller, Collection<String> accessTags, String what) {
        if (!isCare(caller)) {
            return Decision.deny("a care role (photographer or clinician) is needed to " + what);
        }
        return caller.maySee(accessTags) ? Decision.permit()
                : Decision.deny("the caller belongs to none of the photo's departments");
    }

    private static boolean isCare(Caller caller) {
        return CARE_ROLES.stream().anyMatch(caller::hasRole);
    }

    /**
     * Permit, or deny with a reason that names the rule (never patient data). {@code breakGlass}: permitted
     * only through a break-the-glass grant; {@code secondFactorRequired}: denied only because the token
     * shows no second factor (the door answers 401 with an RFC 9470 challenge).
     */
    public record Decision(boolean permitted, String reason, boolean breakGlass, boolean secondFactorRequired) {
        public static Decision permit() {
            return new Decision(true, "permitted", false, false);
        }

        public static Decision permitUnderBreakGlass() {
            return new Decision(true, "permitted under break-the-glass", true, false);
        }

        public static Decision deny(String reason) {
            return new Decision(false, reason, false, false);
        }

        public static Decision needsSecondFactor() {
            return new Decision(false, "a second factor is needed for photos of this body site", false, true);
        }
    }
}
