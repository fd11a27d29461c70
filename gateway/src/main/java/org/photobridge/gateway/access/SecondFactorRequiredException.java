package org.photobridge.gateway.access;

/**
 * A caller who may otherwise see the photo must prove a second factor first (RFC 9470 step-up); the
 * door answers 401 asking for {@link #acr()}.
 */
public class SecondFactorRequiredException extends RuntimeException {
    private final String acr;

    public SecondFactorRequiredException(String acr) {
        super("a second factor is needed for photos of this body site; sign in again with acr_values=" + acr);
        this.acr = acr;
    }

    public String acr() {
        return acr;
    }
}
