package org.photobridge.gateway.access;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Step-up authentication (RFC 9470): photos of sensitive body sites are shown only to tokens whose
 * {@code acr} says the user proved a second factor.
 */
@ConfigMapping(prefix = "photobridge.step-up")
public interface StepUpConfig {

    /** Off only for test profiles whose password-only tokens view breast photos; on in every deployment. */
    @WithDefault("true")
    boolean enabled();

    /**
     * SNOMED CT body sites whose photos need a second factor: breast (whole, left, right, nipple) and
     * the genital sites (genital structure, penis, scrotum, testis, vulva, vagina).
     */
    @WithDefault("76752008,80248007,73056007,24142002,263767004,18911002,20233005,40689003,45292006,76784001")
    List<String> sensitiveBodySites();

    /**
     * The {@code acr} values that show a second factor; the first is the one a 401 asks for
     * ({@code acr_values}). The local realm maps level of authentication 2 (password and OTP) to "mfa".
     */
    @WithDefault("mfa")
    List<String> acrValues();
}
