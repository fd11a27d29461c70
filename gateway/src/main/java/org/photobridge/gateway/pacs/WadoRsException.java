package org.photobridge.gateway.pacs;

import java.io.IOException;

/** A WADO-RS retrieve that did not produce the instance, for a reason other than "the PACS has no such instance". */
public abstract sealed class WadoRsException extends IOException {

    private WadoRsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The PACS cannot be reached or is struggling (connection refused, timeout, 5xx, 429); try again later. */
    public static final class Unavailable extends WadoRsException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The PACS refused the request (401, 403, other 4xx): a configuration problem, retrying will not help. */
    public static final class Refused extends WadoRsException {
        private final int status;

        public Refused(String message, int status) {
            super(message, null);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The answer is not one DICOM instance in a multipart/related body, or is larger than the configured bound. */
    public static final class Malformed extends WadoRsException {
        public Malformed(String message) {
            super(message, null);
        }
    }
}
