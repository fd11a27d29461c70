package org.photobridge.gateway.store;

/** The store could not durably write or read bytes (disk full, directory gone, I/O error). */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
