package org.photobridge.gateway.viewer;

/**
 * The stored object is not one the viewer can turn into a JPEG: not a PhotoBridge-style VL photo
 * (8-bit, one frame, JPEG Baseline or native RGB/MONOCHROME2), damaged, or over the pixel limits.
 */
public final class UnrenderablePhotoException extends Exception {
    public UnrenderablePhotoException(String message) {
        super(message);
    }

    public UnrenderablePhotoException(String message, Throwable cause) {
        super(message, cause);
    }
}
