package org.photobridge.gateway.audit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

import org.photobridge.gateway.store.PrivateDirectories;

/**
 * The append-only file of signed checkpoints, one line each, in a private directory of its own beside
 * the public key that verifies them. Only its newest line matters to verification, so reading it costs
 * the same however long the file grows.
 */
final class CheckpointFile {
    static final String FILE_NAME = "audit-checkpoints.log";
    static final String VERIFY_KEY_NAME = "checkpoint-verify-key.pem";
    private static final int TAIL_BYTES = 8192;

    private final Path file;
    private final AuditKeys keys;

    /** What the newest line says: a checkpoint, nothing (no file or no line), or something unsigned. */
    record Newest(Optional<AuditCheckpoint> checkpoint, boolean forged) {
        static final Newest NONE = new Newest(Optional.empty(), false);
        static final Newest FORGED = new Newest(Optional.empty(), true);
    }

    CheckpointFile(Path directory, AuditKeys keys) {
        this.keys = keys;
        try {
            Path dir = PrivateDirectories.create(directory.toAbsolutePath());
            this.file = dir.resolve(FILE_NAME);
            Path verifyKey = dir.resolve(VERIFY_KEY_NAME);
            String pem = keys.verifyKeyPem();
            if (!Files.exists(verifyKey) || !Files.readString(verifyKey).equals(pem)) {
                Files.writeString(verifyKey, pem, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare photobridge.audit.checkpoint-directory " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    Path path() {
        return file;
    }

    /** Appends a checkpoint and forces it to disk. */
    void append(AuditCheckpoint checkpoint) throws IOException {
        byte[] line = (checkpoint.text() + "\n").getBytes(StandardCharsets.US_ASCII);
        var options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try (FileChannel channel = openForAppend(options)) {
            // A line torn by a crash stays a line of its own, never the start of this one.
            if (channel.size() > 0 && lastByte(channel.size()) != '\n') {
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            channel.write(ByteBuffer.wrap(line));
            channel.force(true);
        }
    }

    private FileChannel openForAppend(Set<StandardOpenOption> options) throws IOException {
        try {
            return FileChannel.open(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(file, options);
        }
    }

    private int lastByte(long size) throws IOException {
        try (var in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(size - 1);
            return in.read();
        }
    }

    /** The newest complete line of the file, checked against the signing key. */
    Newest newest() throws IOException {
        if (!Files.exists(file)) {
            return Newest.NONE;
        }
        String tail;
        try (var in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            int length = (int) Math.min(size, TAIL_BYTES);
            byte[] bytes = new byte[length];
            in.seek(size - length);
            in.readFully(bytes);
            tail = new String(bytes, StandardCharsets.US_ASCII);
        }
        int end = tail.lastIndexOf('\n');
        if (end < 0) {
            // Only a line torn while being written (or nothing at all).
            return tail.isBlank() ? Newest.NONE : Newest.FORGED;
        }
        int start = tail.lastIndexOf('\n', end - 1) + 1;
        String line = tail.substring(start, end);
        if (line.isBlank()) {
            return Newest.FORGED;
        }
        return AuditCheckpoint.parse(line, keys).map(c -> new Newest(Optional.of(c), false)).orElse(Newest.FORGED);
    }
}
