package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file: its newest signed line counts; edits, foreign keys and torn lines are told apart. */
class CheckpointFileTest {
    private static final String MAC = "ab".repeat(32);

    @TempDir
    Path temp;

    AuditKeys keys() {
        return AuditKeys.loadOrCreate(temp.resolve("audit.key"));
    }

    @Test
    void theNewestSignedLineIsTheCheckpoint() throws IOException {
        AuditKeys keys = keys();
        var file = new CheckpointFile(temp.resolve("checkpoints"), keys);
        assertEquals(CheckpointFile.Newest.NONE, file.newest(), "no file yet");
        AuditCheckpoint first = AuditCheckpoint.sign(10, MAC, 0, Instant.parse("2026-12-01T10:00:00Z"), keys);
        AuditCheckpoint second = AuditCheckpoint.sign(20, MAC, 0, Instant.parse("2026-12-01T10:01:00Z"), keys);
        file.append(first);
        file.append(second);
        assertEquals(Optional.of(second), file.newest().checkpoint());
        assertEquals(2, Files.readAllLines(file.path()).size());
        assertTrue(Files.exists(temp.resolve("checkpoints").resolve(CheckpointFile.VERIFY_KEY_NAME)));
    }

    @Test
    void anEditedLineIsForged() throws IOException {
        AuditKeys keys = keys();
        var file = new CheckpointFile(temp.resolve("checkpoints"), keys);
        file.append(AuditCheckpoint.sign(20, MAC, 0, Instant.now(), keys));
        String text = Files.readString(file.path()).replace("sequence=20", "sequence=12");
        Files.writeString(file.path(), text);
        CheckpointFile.Newest newest = file.newest();
        assertTrue(newest.forged());
        assertFalse(newest.checkpoint().isPresent());
    }

    @Test
    void aLineSignedByAnotherKeyIsForged() throws IOException {
        AuditKeys other = AuditKeys.loadOrCreate(temp.resolve("other.key"));
        var file = new CheckpointFile(temp.resolve("checkpoints"), keys());
        Files.writeString(file.path(), AuditCheckpoint.sign(20, MAC, 0, Instant.now(), other).text() + "\n");
        assertTrue(file.newest().forged());
    }

    @Test
    void aLineTornByACrashIsSkippedAndTheNextCheckpointStartsOnANewLine() throws IOException {
        AuditKeys keys = keys();
        var file = new CheckpointFile(temp.resolve("checkpoints"), keys);
        AuditCheckpoint whole = AuditCheckpoint.sign(20, MAC, 0, Instant.now(), keys);
        file.append(whole);
        String torn = AuditCheckpoint.sign(30, MAC, 0, Instant.now(), keys).text().substring(0, 50);
        Files.writeString(file.path(), torn, StandardOpenOption.APPEND);
        assertEquals(Optional.of(whole), file.newest().checkpoint(), "the torn line is not the newest");

        AuditCheckpoint next = AuditCheckpoint.sign(40, MAC, 0, Instant.now(), keys);
        file.append(next);
        assertEquals(Optional.of(next), file.newest().checkpoint());
        assertEquals(3, Files.readAllLines(file.path()).size());
    }
}
