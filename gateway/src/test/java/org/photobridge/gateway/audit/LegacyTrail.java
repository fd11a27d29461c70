package org.photobridge.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.photobridge.gateway.testing.TestDatabase;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The test database as a gateway before V3 left it: three audit entries chained with plain SHA-256,
 * the second edited afterwards by someone with database access. The gateway under test starts on it,
 * migrates it and must report the edit at start-up, and still start.
 */
public class LegacyTrail implements QuarkusTestResourceLifecycleManager {
    static final int LEGACY_ENTRIES = 3;
    static final long EDITED = 2;
    static final String ORIGINAL_DETAIL = "legacy entry 2";

    private final TestStack stack = new TestStack();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(stack.start());
        String url = TestDatabase.JDBC_URL;
        // The placeholders the gateway's configuration gives the migrations (application.properties).
        Flyway flyway = Flyway.configure().dataSource(url, "photobridge", "").locations("classpath:db/migration")
                .placeholders(Map.of("long_text", "text", "h2", "--", "postgresql", "/**/"))
                .cleanDisabled(false).target("2").load();
        flyway.clean();
        flyway.migrate();
        try (var connection = DriverManager.getConnection(url, "photobridge", "")) {
            String previous = "0".repeat(64);
            Instant recorded = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(3600);
            try (var insert = connection.prepareStatement("insert into audit_entry (sequence, id, recorded, action, "
                    + "success, agent, agent_name, agent_roles, patient_system, patient_value, entities, detail, "
                    + "previous_hash, hash) values (?, ?, ?, 'PHOTO_VIEWED', true, 'subject-legacy', "
                    + "'plastics.surgeon', 'clinician', null, null, 'ImagingStudy/legacy', ?, ?, ?)")) {
                for (long sequence = 1; sequence <= LEGACY_ENTRIES; sequence++) {
                    String id = UUID.randomUUID().toString();
                    Instant at = recorded.plusSeconds(sequence);
                    String detail = "legacy entry " + sequence;
                    // V2's chain: SHA-256 over the fields joined by U+001F.
                    String content = String.join("\u001f", previous, Long.toString(sequence), id, at.toString(),
                            "PHOTO_VIEWED", "true", "subject-legacy", "plastics.surgeon", "clinician", "null", "null",
                            "ImagingStudy/legacy", detail);
                    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(content.getBytes(StandardCharsets.UTF_8)));
                    insert.setLong(1, sequence);
                    insert.setString(2, id);
                    insert.setObject(3, at.atOffset(ZoneOffset.UTC));
                    insert.setString(4, detail);
                    insert.setString(5, previous);
                    insert.setString(6, hash);
                    insert.executeUpdate();
                    previous = hash;
                }
            }
            try (var head = connection.prepareStatement("update audit_head set sequence = ?, hash = ? where id = 1")) {
                head.setLong(1, LEGACY_ENTRIES);
                head.setString(2, previous);
                head.executeUpdate();
            }
            try (var edit = connection.prepareStatement("update audit_entry set detail = 'nothing to see' "
                    + "where sequence = ?")) {
                edit.setLong(1, EDITED);
                edit.executeUpdate();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the legacy audit trail: " + e.getMessage(), e);
        }
        // Checks every 2 s (the tests that tamper hold them off), to see checkpoints follow the head.
        config.put("photobridge.audit.checkpoint-interval", "2s");
        // The gateway migrates this database from V2 instead of rebuilding it.
        config.put("quarkus.flyway.clean-at-start", "false");
        return config;
    }

    @Override
    public void stop() {
        stack.stop();
    }
}
