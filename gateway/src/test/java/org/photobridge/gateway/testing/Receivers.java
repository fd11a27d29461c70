package org.photobridge.gateway.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives each test destination its own recording receiver: {@code recv-dimse} is a {@link RecordingScp}
 * (dcmtk storescp) reached by C-STORE, {@code recv-stow} a {@link RecordingStowRs} that wants basic
 * authentication. Time-outs are short so fault tests do not wait long.
 */
public class Receivers implements QuarkusTestResourceLifecycleManager {
    public static final String DIMSE = "recv-dimse";
    public static final String STOW = "recv-stow";
    public static final String DIMSE_AE_TITLE = "RECV-DIMSE";
    public static final String CALLING_AE_TITLE = "PHOTOBRIDGE";
    /** A DIMSE attempt against a hung peer is given up after connect-timeout plus timeout. */
    public static final String DIMSE_CONNECT_TIMEOUT = "2s";
    /** Generous for a loopback peer on a busy machine: a time-out on a healthy send would make a real duplicate. */
    public static final int TIMEOUT_SECONDS = 5;
    public static final String TIMEOUT = TIMEOUT_SECONDS + "s";
    private static final String STOW_USER = "recv-stow-user";
    private static final String STOW_PASSWORD = "recv-stow-password";

    private static RecordingScp scp;
    private static RecordingStowRs stow;

    public static RecordingScp scp() {
        return scp;
    }

    public static RecordingStowRs stow() {
        return stow;
    }

    @Override
    public Map<String, String> start() {
        scp = new RecordingScp(DIMSE_AE_TITLE).start();
        stow = new RecordingStowRs().start();
        stow.requireBasicAuth(STOW_USER, STOW_PASSWORD);
        Map<String, String> config = new HashMap<>();
        String dimse = "photobridge.destinations." + DIMSE + ".";
        config.put(dimse + "kind", "dimse");
        config.put(dimse + "host", "127.0.0.1");
        config.put(dimse + "port", String.valueOf(scp.port()));
        config.put(dimse + "ae-title", DIMSE_AE_TITLE);
        config.put(dimse + "calling-ae-title", CALLING_AE_TITLE);
        config.put(dimse + "withdrawal-action", "none");
        config.put(dimse + "connect-timeout", DIMSE_CONNECT_TIMEOUT);
        config.put(dimse + "timeout", TIMEOUT);
        // One association at a time, as the receiver serves them: a second or third one, opened while
        // the first was kept for reuse, waited unanswered until the first was released, and one timed
        // out as a failed attempt (a test that counts attempts failed on a fast machine).
        config.put(dimse + "associations", String.valueOf(RecordingScp.ASSOCIATIONS));
        String web = "photobridge.destinations." + STOW + ".";
        config.put(web + "kind", "stow-rs");
        config.put(web + "url", stow.baseUrl());
        config.put(web + "username", STOW_USER);
        config.put(web + "password", STOW_PASSWORD);
        config.put(web + "plain-http-on-loopback", "true"); // the recording receiver is plain HTTP on 127.0.0.1
        config.put(web + "withdrawal-action", "none");
        config.put(web + "timeout", TIMEOUT);
        return config;
    }

    @Override
    public void stop() {
        if (scp != null) {
            scp.close();
        }
        if (stow != null) {
            stow.close();
        }
    }
}
