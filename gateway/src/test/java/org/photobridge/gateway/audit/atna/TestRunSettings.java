package org.photobridge.gateway.audit.atna;

import java.util.Map;

import io.smallrye.config.ConfigMapping;

/**
 * Test-only settings under {@code photobridge.test}. The gateway's configuration mappings claim the
 * {@code photobridge} namespace, and SmallRye refuses to start on a key there that no mapping
 * declares ("SRCFG00050 ... does not map to any root"); this mapping declares the ATNA tests'
 * {@code photobridge.test.atna.*}. Settings given on the Maven command line live outside that
 * namespace ({@code -Dpbtest.database}, {@code -Dpbtest.stack}).
 */
@ConfigMapping(prefix = "photobridge.test")
public interface TestRunSettings {

    /** What the ATNA test resource tells the ATNA tests (collector directory, or why there is none). */
    Map<String, String> atna();
}
