package org.photobridge.gateway.photo;

/**
 * An upload that cannot become a clinical photo. The message is safe to show to the uploader: it
 * names the problem and the limit, never image content or patient data.
 */
public class PhotoRejectedException extends RuntimeException {

    /** Why a photo was rejected; intake maps each to an HTTP status and problem type. */
    public enum Reason {
        /** Not a JPEG or PNG by its bytes (HTTP 415). */
        UNSUPPORTED_FORMAT,
        /** A JPEG or PNG that is truncated or corrupt (HTTP 400). */
        CORRUPT,
        /** Pixel count or dimension over the configured limit, read from the header (HTTP 413). */
        TOO_MANY_PIXELS,
        /** The file is larger than the configured upload limit (HTTP 413). */
        FILE_TOO_LARGE,
        /** A valid image in a variant the gateway cannot represent, such as 12-bit JPEG (HTTP 415). */
        UNSUPPORTED_VARIANT,
        /**
         * A structure far beyond any camera's that would make decoding disproportionately costly,
         * such as thousands of progressive scans (HTTP 422).
         */
        TOO_COMPLEX
    }

    private final Reason reason;

    public PhotoRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PhotoRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
