package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit key file: made private when absent, refused when others may read it, stable across restarts. */
class AuditKeysTest {
    private static final byte[] MESSAGE = "entry".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;

    @Test
    void generatesAPrivateKeyFileInAPrivateDirectoryWhenAbsent() throws IOException {
        Path file = temp.resolve("audit-key/audit-trail.key");
        AuditKeys.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        try (var names = Files.list(file.getParent())) {
            assertEquals(1, names.count(), "no temporary file left beside the key");
        }
    }

    @Test
    void theSameFileGivesTheSameKeysAfterARestart() {
        Path file = temp.resolve("audit.key");
        AuditKeys first = AuditKeys.loadOrCreate(file);
        AuditKeys again = AuditKeys.loadOrCreate(file);
        assertArrayEquals(first.mac(MESSAGE), again.mac(MESSAGE));
        assertEquals(first.keyId(), again.keyId());
        assertTrue(again.verify(MESSAGE, first.sign(MESSAGE)));
        AuditKeys other = AuditKeys.loadOrCreate(temp.resolve("other.key"));
        assertNotEquals(first.keyId(), other.keyId());
        assertFalse(other.verify(MESSAGE, first.sign(MESSAGE)), "another key pair does not verify");
    }

    @Test
    void refusesAKeyFileTheGroupCanRead() throws IOException {
        Path file = temp.resolve("audit.key");
        AuditKeys.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        var refused = assertThrows(IllegalStateException.class, () -> AuditKeys.loadOrCreate(file));
        assertTrue(refused.getMessage().contains("chmod 600"), refused.getMessage());
    }

    @Test
    void refusesAKeyFileEveryoneCanRead() throws IOException {
        Path file = temp.resolve("audit.key");
        AuditKeys.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
        assertThrows(IllegalStateException.class, () -> AuditKeys.loadOrCreate(file));
    }

    @Test
    void refusesAKeyFileWhoseKeysDoNotBelongTogether() throws IOException {
        Path file = temp.resolve("audit.key");
        Path other = temp.resolve("other.key");
        AuditKeys.loadOrCreate(file);
        AuditKeys.loadOrCreate(other);
        String otherVerifyKey = Files.readAllLines(other).stream().filter(l -> l.startsWith("verify-key=")).findFirst()
                .orElseThrow();
        String mixed = Files.readString(file).replaceAll("verify-key=.*", otherVerifyKey);
        Files.writeString(file, mixed);
        var refused = assertThrows(IllegalStateException.class, () -> AuditKeys.loadOrCreate(file));
        assertTrue(refused.getMessage().contains("not one key pair"), refused.getMessage());
    }
}
