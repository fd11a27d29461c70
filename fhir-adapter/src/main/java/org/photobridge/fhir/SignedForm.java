package org.photobridge.fhir;

/**
 * A signed form (a Consent's {@code sourceAttachment.data}) kept apart from its version's JSON, read
 * only when it is served: the gateway keeps it encrypted, and callers who may not see forms never
 * cause its decryption.
 */
@FunctionalInterface
public interface SignedForm {

    /**
     * The form's base64 text exactly as it was stored.
     *
     * @throws IllegalStateException when the stored form fails its integrity check (it is never served then)
     */
    String base64();
}
