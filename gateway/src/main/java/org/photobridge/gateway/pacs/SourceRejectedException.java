package org.photobridge.gateway.pacs;

/**
 * Thrown by a {@link DicomSource} whose object turns out, while it is being sent, not to be the one
 * the delivery is for (another SOP instance or patient): the destination stops before the PACS can
 * store it and reports the delivery as Failed.
 */
public class SourceRejectedException extends Exception {
    public SourceRejectedException(String message) {
        super(message);
    }
}
