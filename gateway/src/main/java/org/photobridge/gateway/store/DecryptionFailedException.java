package org.photobridge.gateway.store;

import java.io.IOException;

/**
 * A blob exists but does not decrypt: wrong or unknown key, tampering, truncation, or a blob that
 * belongs to another photo (its associated data binds it to one). Never a reason to fall back to
 * another source silently: the caller raises a security alert.
 */
public class DecryptionFailedException extends IOException {
    public DecryptionFailedException(String message) {
        super(message);
    }

    public DecryptionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
