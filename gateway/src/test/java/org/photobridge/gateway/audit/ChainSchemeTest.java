package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.persistence.AuditEntry;

/** Entry chain codes: keyed, and over length-prefixed fields, so no field can borrow from its neighbour. */
class ChainSchemeTest {

    @TempDir
    Path temp;

    static AuditEntry entry(String agentName, String agentRoles, String patientSystem) {
        var e = new AuditEntry();
        e.sequence = 7;
        e.id = "8d7c1e36-0d0f-4a53-9a4e-0f8e1f2f3a4b";
        e.recorded = Instant.parse("2026-11-20T10:11:12.123456Z");
        e.action = "PHOTO_VIEWED";
        e.success = true;
        e.agent = "subject-1";
        e.agentName = agentName;
        e.agentRoles = agentRoles;
        e.patientSystem = patientSystem;
        e.patientValue = null;
        e.entities = "ImagingStudy/1";
        e.detail = "thumbnail served";
        e.previousHash = ChainScheme.GENESIS;
        return e;
    }

    @Test
    void movingTextAcrossAFieldBoundaryChangesTheMac() {
        AuditKeys keys = AuditKeys.loadOrCreate(temp.resolve("audit.key"));
        AuditEntry honest = entry("plastics.surgeon", "clinician\u001fphotographer", null);
        AuditEntry shifted = entry("plastics.surgeon\u001fclinician", "photographer", null);
        assertEquals(ChainScheme.legacyHash(honest), ChainScheme.legacyHash(shifted),
                "V2 joined fields with U+001F: text moved across it hashed alike");
        assertNotEquals(ChainScheme.HMAC_SHA256.code(honest, keys), ChainScheme.HMAC_SHA256.code(shifted, keys));
    }

    @Test
    void anAbsentValueDiffersFromTheWordNull() {
        AuditKeys keys = AuditKeys.loadOrCreate(temp.resolve("audit.key"));
        AuditEntry absent = entry("plastics.surgeon", "clinician", null);
        AuditEntry word = entry("plastics.surgeon", "clinician", "null");
        assertEquals(ChainScheme.legacyHash(absent), ChainScheme.legacyHash(word), "V2 could not tell them apart");
        assertNotEquals(ChainScheme.HMAC_SHA256.code(absent, keys), ChainScheme.HMAC_SHA256.code(word, keys));
    }

    @Test
    void anotherKeyGivesAnotherMac() {
        AuditEntry entry = entry("plastics.surgeon", "clinician", null);
        assertNotEquals(ChainScheme.HMAC_SHA256.code(entry, AuditKeys.loadOrCreate(temp.resolve("a.key"))),
                ChainScheme.HMAC_SHA256.code(entry, AuditKeys.loadOrCreate(temp.resolve("b.key"))));
    }

    @Test
    void theMacIsStableForTheSameEntryAndKey() {
        AuditKeys keys = AuditKeys.loadOrCreate(temp.resolve("audit.key"));
        assertEquals(ChainScheme.HMAC_SHA256.code(entry("a", "b", null), keys),
                ChainScheme.HMAC_SHA256.code(entry("a", "b", null), keys));
        assertEquals(64, ChainScheme.HMAC_SHA256.code(entry("a", "b", null), keys).length());
    }
}
