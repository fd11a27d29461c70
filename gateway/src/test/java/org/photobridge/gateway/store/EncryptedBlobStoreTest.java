package org.photobridge.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedBlobStoreTest {
    @TempDir
    Path dir;

    private static final String CONTEXT = BlobContexts.photo(UUID.fromString("00000000-0000-4000-8000-000000000001"));

    private static SecretKeySpec key(byte keyByte) {
        byte[] key = new byte[32];
        Arrays.fill(key, keyByte);
        return new SecretKeySpec(key, "AES");
    }

    private EncryptedBlobStore store(byte keyByte) {
        return new EncryptedBlobStore(dir.resolve("store"), KeyRing.of(key(keyByte)), Duration.ofMinutes(10));
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @Test
    void aWriterThatFailsLeavesNoFileBehind() throws IOException {
        var store = store((byte) 1);
        var refusal = new IllegalArgumentException("the image does not decode");
        var thrown = assertThrows(IllegalArgumentException.class, () -> store.put(CONTEXT, out -> {
            out.write(random(SegmentedGcm.SEGMENT_SIZE + 5));
            throw refusal;
        }));
        assertTrue(thrown == refusal, "the writer's own exception reaches the caller");
        try (var left = Files.list(dir.resolve("store"))) {
            assertEquals(List.of(), left.toList(), "no .incoming or blob file stays");
        }
    }

    @Test
    void roundTripsEmptySmallExactAndMultiSegmentBlobs() throws IOException {
        var store = store((byte) 1);
        for (int size : new int[] {0, 1, 1000, SegmentedGcm.SEGMENT_SIZE, SegmentedGcm.SEGMENT_SIZE * 3 + 17}) {
            byte[] plain = random(size);
            var blob = store.put(CONTEXT, out -> out.write(plain));
            assertEquals(size, blob.plainBytes());
            var out = new ByteArrayOutputStream();
            store.decryptTo(blob.key(), CONTEXT, out);
            assertArrayEquals(plain, out.toByteArray(), "size " + size);
            // Streaming, read in odd-sized pieces across segment boundaries.
            var streamed = new ByteArrayOutputStream();
            try (var in = store.open(blob.key(), CONTEXT)) {
                byte[] piece = new byte[4093];
                for (int n; (n = in.read(piece)) >= 0; ) {
                    streamed.write(piece, 0, n);
                }
            }
            assertArrayEquals(plain, streamed.toByteArray(), "streamed, size " + size);
        }
    }

    @Test
    void writesDirectWhereTheFileSystemTakesItAndThroughThePageCacheWhenToldSoAlike() throws IOException {
        byte[] plain = random(SegmentedGcm.SEGMENT_SIZE * 5 + 3);
        var direct = store((byte) 1);
        var cached = new EncryptedBlobStore(dir.resolve("cached"), KeyRing.of(key((byte) 1)),
                Duration.ofMinutes(10), false);
        String type = Files.getFileStore(dir).type();
        if (!type.equals("tmpfs")) {
            // ext4 here and on CI; tmpfs takes direct writes on some kernels only.
            assertTrue(direct.directIo(), "a " + type + " directory takes direct writes");
        }
        assertFalse(cached.directIo());
        for (var store : List.of(direct, cached)) {
            var blob = store.put(CONTEXT, out -> out.write(plain));
            var out = new ByteArrayOutputStream();
            store.decryptTo(blob.key(), CONTEXT, out);
            assertArrayEquals(plain, out.toByteArray());
        }
    }

    @Test
    void bytesAtRestAreNotThePlaintext() throws IOException {
        var store = store((byte) 1);
        byte[] plain = "PATIENT-NAME-DOE^JANE-MRN-0042".repeat(100).getBytes();
        var blob = store.put(CONTEXT, out -> out.write(plain));
        byte[] atRest = Files.readAllBytes(dir.resolve("store").resolve(blob.key() + ".pbe"));
        assertFalse(new String(atRest, java.nio.charset.StandardCharsets.ISO_8859_1).contains("DOE^JANE"));
        assertTrue(atRest.length > plain.length, "ciphertext carries nonces and tags");
    }

    @Test
    void storeDirectoryIsPrivate() throws IOException {
        store((byte) 1);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store"))));
    }

    @Test
    void wrongKeyFailsAuthentication() throws IOException {
        var blob = store((byte) 1).put(CONTEXT, out -> out.write(random(5000)));
        var other = store((byte) 2);
        IOException e = assertThrows(DecryptionFailedException.class,
                () -> other.decryptTo(blob.key(), CONTEXT, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("not in the key ring"), e.getMessage());
    }

    @Test
    void flippedByteIsDetected() throws IOException {
        var store = store((byte) 1);
        var blob = store.put(CONTEXT, out -> out.write(random(5000)));
        Path file = dir.resolve("store").resolve(blob.key() + ".pbe");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        assertThrows(IOException.class, () -> store.decryptTo(blob.key(), CONTEXT, new ByteArrayOutputStream()));
    }

    @Test
    void truncationAtASegmentBoundaryIsDetected() throws IOException {
        var store = store((byte) 1);
        var blob = store.put(CONTEXT, out -> out.write(random(SegmentedGcm.SEGMENT_SIZE * 2 + 5)));
        Path file = dir.resolve("store").resolve(blob.key() + ".pbe");
        byte[] bytes = Files.readAllBytes(file);
        // Header (magic 4, id length 1, id 16, salt 32) + first segment (4 + SEGMENT_SIZE + 16): drop the rest.
        int firstSegmentEnd = 4 + 1 + 16 + 32 + 4 + SegmentedGcm.SEGMENT_SIZE + 16;
        Files.write(file, Arrays.copyOf(bytes, firstSegmentEnd));
        assertThrows(IOException.class, () -> store.decryptTo(blob.key(), CONTEXT, new ByteArrayOutputStream()));
        try (var in = store.open(blob.key(), CONTEXT)) {
            assertThrows(IOException.class, in::readAllBytes, "a stream reader meets the truncation too");
        }
    }

    @Test
    void failedWriterLeavesNothingBehind() throws IOException {
        var store = store((byte) 1);
        assertThrows(StoreUnavailableException.class, () -> store.put(CONTEXT, out -> {
            out.write(random(100));
            throw new IOException("disk full");
        }));
        try (var files = Files.list(dir.resolve("store"))) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void keyFileMustHoldExactly256Bits() throws IOException {
        Path keyFile = dir.resolve("short.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[16]));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        var e = assertThrows(IllegalStateException.class, () -> KeyRing.load(keyFile, List.of()));
        assertTrue(e.getMessage().contains("256-bit"), e.getMessage());
        var missing = assertThrows(IllegalStateException.class,
                () -> KeyRing.load(dir.resolve("none"), List.of()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
