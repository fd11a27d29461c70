package org.photobridge.gateway.store;

import java.util.UUID;

/**
 * The associated data that binds a blob to what it holds: it enters the derivation of the blob's
 * data key and every segment's authentication, so a blob moved to another photo (or a form to
 * another Consent version) fails to decrypt.
 */
public final class BlobContexts {
    private BlobContexts() {
    }

    /** The context of a photo's DICOM object. */
    public static String photo(UUID photoId) {
        return "photo:" + photoId;
    }

    /** The context of the signed form of one Consent version. */
    public static String consentForm(String consentId, long version) {
        return "consent-form:" + consentId + "/" + version;
    }
}
