package org.photobridge.gateway.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * Photo bytes at rest: each blob AES-256-GCM encrypted (see {@link SegmentedGcm}), named by a random
 * UUID (never by anything about the patient), fsynced before the database commit that refers to it.
 */
@ApplicationScoped
public class EncryptedBlobStore {
    private static final Logger LOG = Logger.getLogger(EncryptedBlobStore.class);
    private static final Pattern KEY_PATTERN = Pattern.compile("[0-9a-f-]{36}");
    private static final String SUFFIX = ".pbe";

    private final Path directory;
    private final SecretKey key;

    @Inject
    public EncryptedBlobStore(StoreConfig config) {
        this(config.directory(), loadKey(config.keyFile()));
    }

    EncryptedBlobStore(Path directory, SecretKey key) {
        this.directory = directory.toAbsolutePath();
        this.key = key;
        try {
            PrivateDirectories.create(this.directory);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the photo store directory " + this.directory, e);
        }
    }

    /** Reads a base64 AES-256 key; refuses anything else so a misconfiguration fails at start-up. */
    static SecretKey loadKey(Path keyFile) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(Files.readString(keyFile).strip());
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("photobridge.store.key-file " + keyFile + " does not exist; "
                    + "create 32 random bytes, base64-encoded, readable only by the gateway", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("photobridge.store.key-file " + keyFile
                    + " cannot be read as base64: " + e.getMessage(), e);
        }
        if (raw.length != 32) {
            throw new IllegalStateException("photobridge.store.key-file must hold a 256-bit key (32 bytes "
                    + "base64-encoded); it holds " + raw.length + " bytes");
        }
        try {
            var perms = Files.getPosixFilePermissions(keyFile);
            if (perms.stream().anyMatch(p -> p.name().startsWith("OTHERS") || p.name().startsWith("GROUP"))) {
                LOG.warnf("Storage key file %s is readable by group or others (%s); use mode 0600", keyFile,
                        PosixFilePermissions.toString(perms));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not a POSIX file system: nothing to check.
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** A blob that has been durably written; {@code plainBytes} is the size before encryption. */
    public record StoredBlob(String key, long plainBytes) {
    }

    /**
     * Encrypts the stream into a new blob and forces it to disk before returning, so a database commit
     * that refers to it only ever refers to durable bytes.
     */
    public StoredBlob put(Writer writer) {
        String name = UUID.randomUUID().toString();
        Path incoming = directory.resolve("." + name + ".incoming");
        Path target = directory.resolve(name + SUFFIX);
        try {
            long plainBytes;
            try (FileChannel channel = FileChannel.open(incoming, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                var buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                var counting = new CountingOutputStream(SegmentedGcm.encrypting(key, buffered));
                writer.writeTo(counting);
                counting.close();
                plainBytes = counting.count();
                channel.force(true);
            }
            moveAtomically(incoming, target);
            forceDirectory();
            return new StoredBlob(name, plainBytes);
        } catch (IOException e) {
            deleteQuietly(incoming);
            deleteQuietly(target);
            throw new StoreUnavailableException("the photo store could not write durably: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // The writer refused the photo (say, a 4:4:4 stream that does not decode): nothing is kept.
            deleteQuietly(incoming);
            throw e;
        }
    }

    /**
     * Opens a blob's plaintext as a stream, decrypted a segment at a time (never written to disk);
     * the caller closes it.
     */
    public InputStream open(String blobKey) throws IOException {
        return SegmentedGcm.decrypting(key, new BufferedInputStream(Files.newInputStream(blobPath(blobKey)), 1 << 16));
    }

    /** Decrypts a blob into {@code out}. */
    public void decryptTo(String blobKey, OutputStream out) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(blobPath(blobKey)), 1 << 16)) {
            SegmentedGcm.decrypt(key, in, out);
        }
    }

    public boolean exists(String blobKey) {
        return Files.exists(blobPath(blobKey));
    }

    public void delete(String blobKey) {
        try {
            Files.deleteIfExists(blobPath(blobKey));
        } catch (IOException e) {
            throw new StoreUnavailableException("could not delete a purged photo blob: " + e.getMessage(), e);
        }
    }

    /** Deletes a blob written for a request that did not commit. Never throws. */
    public void discard(String blobKey) {
        deleteQuietly(blobPath(blobKey));
    }

    /** How long ago a blob was written. */
    public java.time.Duration ageOf(String blobKey) throws IOException {
        var modified = Files.getLastModifiedTime(blobPath(blobKey)).toInstant();
        return java.time.Duration.between(modified, java.time.Instant.now());
    }

    /** Blob keys present on disk, for sweeping orphans left by a crash between write and commit. */
    public java.util.List<String> listKeys() throws IOException {
        try (var files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length()))
                    .toList();
        }
    }

    private Path blobPath(String blobKey) {
        if (!KEY_PATTERN.matcher(blobKey).matches()) {
            throw new IllegalArgumentException("not a blob key");
        }
        return directory.resolve(blobKey + SUFFIX);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot open directories; the file itself is already forced.
            LOG.debugf("directory fsync not supported: %s", e.getMessage());
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", path.getFileName(), e.getMessage());
        }
    }

    /** Counts plaintext bytes on their way into encryption. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }

    /** Produces the plaintext of a blob by writing it to a stream. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }
}
