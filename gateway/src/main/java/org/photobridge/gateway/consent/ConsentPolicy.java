package org.photobridge.gateway.consent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;

/**
 * Decides whether a patient's consents cover one use of one photo. Within a Consent the last
 * matching provision wins (nested provisions are exceptions to the base provision, and come after
 * it); across Consents a deny from any active Consent wins over permits from others. Only active
 * Consents count. A provision that names photos ({@code data}) covers only those photos; a new
 * capture is covered only by provisions that name none.
 */
public final class ConsentPolicy {

    private ConsentPolicy() {
    }

    /** Everything a provision's data reference may call a photo by. */
    public record PhotoRef(String imagingStudyId, String studyInstanceUid, String sopInstanceUid) {
        boolean isNamedBy(String reference) {
            return reference.equals("ImagingStudy/" + imagingStudyId)
                    || reference.equals("urn:dicom:uid:" + studyInstanceUid)
                    || reference.equals("urn:dicom:uid:" + sopInstanceUid)
                    || reference.equals("urn:oid:" + studyInstanceUid)
                    || reference.equals("urn:oid:" + sopInstanceUid);
        }
    }

    /** The outcome, with a reason safe to show (no patient data). */
    public record Decision(boolean permitted, String reason) {
    }

    /**
     * @param photo the photo, or empty for a capture that has no photo yet
     */
    public static Decision decide(List<ConsentTerms> consents, ConsentScope scope, Optional<PhotoRef> photo,
            Instant at) {
        boolean permitted = false;
        boolean anyActive = false;
        for (ConsentTerms consent : consents) {
            if (!consent.isActive()) {
                continue;
            }
            anyActive = true;
            Optional<Boolean> verdict = Optional.empty();
            for (ConsentTerms.Provision provision : consent.provisions()) {
                if (covers(provision, scope, photo, at)) {
                    verdict = Optional.of(provision.permit());
                }
            }
            if (verdict.isPresent() && !verdict.get()) {
                return new Decision(false, "the patient's consent denies " + label(scope));
            }
            permitted |= verdict.orElse(false);
        }
        if (permitted) {
            return new Decision(true, "an active consent covers " + label(scope));
        }
        return new Decision(false, anyActive ? "no active consent of the patient covers " + label(scope)
                : "the patient has no active consent (withdrawn or never given) covering " + label(scope));
    }

    private static boolean covers(ConsentTerms.Provision provision, ConsentScope scope, Optional<PhotoRef> photo,
            Instant at) {
        if (!provision.scopes().isEmpty() && !provision.scopes().contains(scope)) {
            return false;
        }
        if (!provision.inForceAt(at)) {
            return false;
        }
        if (provision.data().isEmpty()) {
            return true;
        }
        return photo.map(p -> provision.data().stream().anyMatch(p::isNamedBy)).orElse(false);
    }

    public static String label(ConsentScope scope) {
        return scope.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
