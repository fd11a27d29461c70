package org.photobridge.gateway.consent;

/**
 * Capture refused because the patient has no active consent covering clinical photography and the
 * deployment requires one. The message names the rule, never the patient.
 */
public class ConsentRequiredException extends RuntimeException {

    public ConsentRequiredException(String message) {
        super(message);
    }
}
