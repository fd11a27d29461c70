package org.photobridge.gateway.store;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * Photo bytes at rest: each blob AES-256-GCM encrypted under its own data key derived from the active
 * master key of the {@link KeyRing} and bound to its context, the photo id (see {@link SegmentedGcm}),
 * named by a random UUID (never by anything about the patient), fsynced before the database commit
 * that refers to it.
 */
@ApplicationScoped
public class EncryptedBlobStore {
    private static final Logger LOG = Logger.getLogger(EncryptedBlobStore.class);
    private static final Pattern KEY_PATTERN = Pattern.compile("[0-9a-f-]{36}");
    private static final String SUFFIX = ".pbe";
    private static final String INCOMING = ".incoming";

    private final Path directory;
    private final KeyRing keys;
    private final Duration incomingGrace;
    private final BlobFiles files;

    @Inject
    public EncryptedBlobStore(StoreConfig config) {
        this(config.directory(), KeyRing.load(config.keyFile(), config.previousKeyFiles().orElse(List.of())),
                config.incomingGrace(), config.directIo());
    }

    EncryptedBlobStore(Path directory, KeyRing keys, Duration incomingGrace) {
        this(directory, keys, incomingGrace, true);
    }

    EncryptedBlobStore(Path directory, KeyRing keys, Duration incomingGrace, boolean directIo) {
        this.directory = directory.toAbsolutePath();
        this.keys = keys;
        this.incomingGrace = incomingGrace;
        try {
            PrivateDirectories.create(this.directory);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the photo store directory " + this.directory, e);
        }
        this.files = BlobFiles.in(this.directory, directIo);
    }

    /** Whether new blobs are written with direct I/O (the option, and the file system's consent). */
    boolean directIo() {
        return files.direct();
    }

    /** The id of the master key new blobs are written under. */
    public String activeKeyId() {
        return keys.active().id();
    }

    /** The ids of every master key this store can read, the active one first. */
    public List<String> keyIds() {
        return keys.all().stream().map(KeyRing.MasterKey::id).toList();
    }

    /** A blob that has been durably written; {@code plainBytes} is the size before encryption. */
    public record StoredBlob(String key, long plainBytes) {
    }

    /**
     * Encrypts the stream into a new blob and forces it to disk before returning, so a database commit
     * that refers to it only ever refers to durable bytes.
     */
    public StoredBlob put(String context, Writer writer) {
        String name = UUID.randomUUID().toString();
        Path incoming = directory.resolve("." + name + INCOMING);
        Path target = directory.resolve(name + SUFFIX);
        try {
            long plainBytes;
            try (BlobFiles.Output file = files.create(incoming)) {
                var counting = new CountingOutputStream(SegmentedGcm.encrypting(keys.active(), context, file));
                writer.writeTo(counting);
                counting.close();
                plainBytes = counting.count();
                file.commit();
            }
            moveAtomically(incoming, target);
            forceDirectory();
            return new StoredBlob(name, plainBytes);
        } catch (IOException e) {
            deleteQuietly(incoming);
            deleteQuietly(target);
            sweepIncoming();
            throw new StoreUnavailableException("the photo store could not write durably: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // The writer refused the photo (say, a 4:4:4 stream that does not decode): nothing is kept.
            deleteQuietly(incoming);
            sweepIncoming();
            throw e;
        }
    }

    /**
     * Re-encrypts a blob under the active master key, in place: the new ciphertext is written beside
     * it, forced to disk and moved over it atomically, so a reader sees the old blob or the new one,
     * never a mix. Returns false when the blob already was under the active key.
     *
     * @throws DecryptionFailedException when the blob does not decrypt under its context
     */
    public boolean reencrypt(String blobKey, String context) throws IOException {
        Path source = blobPath(blobKey);
        if (keyIdOf(blobKey).filter(keys.active().id()::equals).isPresent()) {
            return false;
        }
        Path incoming = directory.resolve("." + UUID.randomUUID() + INCOMING);
        try (InputStream plain = open(blobKey, context); BlobFiles.Output file = files.create(incoming)) {
            OutputStream sealing = SegmentedGcm.encrypting(keys.active(), context, file);
            plain.transferTo(sealing);
            sealing.close();
            file.commit();
        } catch (IOException | RuntimeException e) {
            deleteQuietly(incoming);
            throw e;
        }
        Files.move(incoming, source, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
        return true;
    }

    /** The id of the master key a blob is under; empty for a format-1 blob, which names none. */
    public Optional<String> keyIdOf(String blobKey) throws IOException {
        try (InputStream in = Files.newInputStream(blobPath(blobKey))) {
            return SegmentedGcm.header(in).keyId();
        }
    }

    /** Encrypts a small value held in memory (a signed consent form) in the blob format, bound to its context. */
    public byte[] seal(String context, byte[] plain) {
        try {
            var out = new ByteArrayOutputStream(plain.length + 128);
            try (OutputStream sealing = SegmentedGcm.encrypting(keys.active(), context, out)) {
                sealing.write(plain);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory encryption failed", e);
        }
    }

    /** Decrypts what {@link #seal} produced, under the same context. */
    public byte[] unseal(String context, byte[] sealed) throws DecryptionFailedException {
        try (InputStream in = SegmentedGcm.decrypting(keys, context, new ByteArrayInputStream(sealed))) {
            return in.readAllBytes();
        } catch (DecryptionFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new DecryptionFailedException("sealed value unreadable: " + e.getMessage(), e);
        }
    }

    /** The id of the master key a sealed value is under; empty for none (format 1). */
    public Optional<String> keyIdOfSealed(byte[] sealed) throws DecryptionFailedException {
        try {
            return SegmentedGcm.header(new ByteArrayInputStream(sealed)).keyId();
        } catch (DecryptionFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new DecryptionFailedException("sealed value unreadable", e);
        }
    }

    /**
     * Deletes {@code .incoming} files (blobs whose writer never finished: a crash, a full disk) older
     * than the grace period, which spares writes in progress on other replicas sharing the directory.
     * Runs at start-up and after every failed write. Never throws; returns how many it deleted.
     */
    public int sweepIncoming() {
        int deleted = 0;
        Instant cutoff = Instant.now().minus(incomingGrace);
        try (var files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(INCOMING)).toList()) {
                try {
                    if (!Files.getLastModifiedTime(file).toInstant().isAfter(cutoff) && Files.deleteIfExists(file)) {
                        deleted++;
                    }
                } catch (NoSuchFileException e) {
                    // Finished or deleted meanwhile.
                }
            }
        } catch (IOException e) {
            LOG.warnf("could not sweep unfinished blobs: %s", e.getMessage());
        }
        if (deleted > 0) {
            LOG.infof("deleted %d unfinished blob(s) left by interrupted or failed writes", deleted);
        }
        return deleted;
    }

    /**
     * Opens a blob's plaintext as a stream, decrypted a segment at a time (never written to disk);
     * the caller closes it.
     */
    public InputStream open(String blobKey, String context) throws IOException {
        return SegmentedGcm.decrypting(keys, context,
                new BufferedInputStream(Files.newInputStream(blobPath(blobKey)), 1 << 16));
    }

    /**
     * Decrypts a blob into {@code out}; a {@link NoSuchFileException} when it is gone, a
     * {@link DecryptionFailedException} when it exists but does not decrypt under its context.
     */
    public void decryptTo(String blobKey, String context, OutputStream out) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(blobPath(blobKey)), 1 << 16)) {
            SegmentedGcm.decrypt(keys, context, in, out);
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
