package org.photobridge.gateway.viewer;

/**
 * No photo with this id that the caller may see: none exists, the id is not one, or the access
 * policy hides it (a refusal never confirms that a photo exists). The message names no patient.
 */
public final class PhotoNotFoundException extends RuntimeException {
    public PhotoNotFoundException(String message) {
        super(message);
    }
}
