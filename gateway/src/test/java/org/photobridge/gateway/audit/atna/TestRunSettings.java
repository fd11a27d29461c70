package org.photobridge.gateway.audit.atna;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Test-only settings under {@code photobridge.test}. The gateway's configuration mappings claim the
 * {@code photobridge} namespace, and SmallRye refuses to start on a key there that no mapping
 * declares ("SRCFG00050 ... does not map to any root"); this mapping declares the keys the tests
 * pass: {@code -Dphotobridge.test.database=NAME} (read by application.properties and TestDatabase) and the ATNA tests'
 * {@code photobridge.test.atna.*}.
 */
@ConfigMapping(prefix = "photobridge.test")
public interface TestRunSettings {

    /** The PostgreSQL test database of this run. */
    Optional<String> database();

    /** What the ATNA test resource tells the ATNA tests (collector directory, or why there is none). */
    Map<String, String> atna();
}
