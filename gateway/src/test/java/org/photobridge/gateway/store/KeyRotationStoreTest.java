package org.photobridge.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-blob keys bound to the photo, key ids, rotation, legacy blobs, key-file permissions, unfinished blobs. */
class KeyRotationStoreTest {
    private static final Duration GRACE = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private static SecretKey randomKey() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return new SecretKeySpec(raw, "AES");
    }

    private EncryptedBlobStore store(KeyRing ring) {
        return new EncryptedBlobStore(dir.resolve("store"), ring, GRACE);
    }

    private static byte[] bytes(String text) {
        return text.repeat(50_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private Path file(String blobKey) {
        return dir.resolve("store").resolve(blobKey + ".pbe");
    }

    private static byte[] read(EncryptedBlobStore store, String blobKey, String context) throws IOException {
        var out = new ByteArrayOutputStream();
        store.decryptTo(blobKey, context, out);
        return out.toByteArray();
    }

    @Test
    void swappingTheFilesOfTwoPhotosMakesBothFailToDecrypt() throws IOException {
        var store = store(KeyRing.of(randomKey()));
        String photoA = BlobContexts.photo(UUID.randomUUID());
        String photoB = BlobContexts.photo(UUID.randomUUID());
        var a = store.put(photoA, out -> out.write(bytes("photo A ")));
        var b = store.put(photoB, out -> out.write(bytes("photo B ")));
        assertArrayEquals(bytes("photo A "), read(store, a.key(), photoA), "each reads under its own photo id");

        Path tmp = dir.resolve("swap");
        Files.move(file(a.key()), tmp);
        Files.move(file(b.key()), file(a.key()));
        Files.move(tmp, file(b.key()));

        var e = assertThrows(DecryptionFailedException.class, () -> read(store, a.key(), photoA));
        assertTrue(e.getMessage().contains("authentication"), e.getMessage());
        assertThrows(DecryptionFailedException.class, () -> read(store, b.key(), photoB));
        try (var in = store.open(a.key(), photoA)) {
            assertThrows(DecryptionFailedException.class, in::readAllBytes, "the streaming reader refuses it too");
        }
    }

    @Test
    void everyBlobNamesItsKeyAndHasItsOwnDataKey() throws IOException {
        SecretKey master = randomKey();
        var store = store(KeyRing.of(master));
        String context = BlobContexts.photo(UUID.randomUUID());
        var first = store.put(context, out -> out.write(bytes("same plaintext ")));
        var second = store.put(context, out -> out.write(bytes("same plaintext ")));
        assertEquals(Optional.of(KeyRing.idOf(master.getEncoded())), store.keyIdOf(first.key()));
        assertEquals(store.activeKeyId(), store.keyIdOf(second.key()).orElseThrow());
        byte[] one = Files.readAllBytes(file(first.key()));
        byte[] two = Files.readAllBytes(file(second.key()));
        assertEquals("PBE2", new String(one, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        // Same key, context and plaintext: a fresh salt makes a fresh data key, so nothing after the
        // key id repeats (the segment nonces may, under different keys).
        int headerEnd = 4 + 1 + 16;
        assertFalse(Arrays.equals(Arrays.copyOfRange(one, headerEnd, one.length),
                Arrays.copyOfRange(two, headerEnd, two.length)));
        assertNotEquals(Arrays.toString(Arrays.copyOfRange(one, headerEnd, headerEnd + 32)),
                Arrays.toString(Arrays.copyOfRange(two, headerEnd, headerEnd + 32)), "salts differ");
    }

    @Test
    void rotationKeepsOldBlobsReadableAndReencryptionMovesThemToTheNewKey() throws IOException {
        SecretKey oldKey = randomKey();
        SecretKey newKey = randomKey();
        String context = BlobContexts.photo(UUID.randomUUID());
        var blob = store(KeyRing.of(oldKey)).put(context, out -> out.write(bytes("before rotation ")));

        var rotated = store(KeyRing.of(newKey, oldKey));
        assertEquals(List.of(KeyRing.idOf(newKey.getEncoded()), KeyRing.idOf(oldKey.getEncoded())), rotated.keyIds());
        assertArrayEquals(bytes("before rotation "), read(rotated, blob.key(), context), "old blob readable");
        String fresh = BlobContexts.photo(UUID.randomUUID());
        var after = rotated.put(fresh, out -> out.write(bytes("after rotation ")));
        assertEquals(Optional.of(rotated.activeKeyId()), rotated.keyIdOf(after.key()), "new blobs under the new key");

        assertTrue(rotated.reencrypt(blob.key(), context));
        assertFalse(rotated.reencrypt(blob.key(), context), "a second pass has nothing to do");
        assertEquals(Optional.of(rotated.activeKeyId()), rotated.keyIdOf(blob.key()));

        var newOnly = store(KeyRing.of(newKey));
        assertArrayEquals(bytes("before rotation "), read(newOnly, blob.key(), context),
                "after re-encryption the old key can be retired");
        var oldOnly = store(KeyRing.of(oldKey));
        var e = assertThrows(DecryptionFailedException.class, () -> read(oldOnly, blob.key(), context));
        assertTrue(e.getMessage().contains("not in the key ring"), e.getMessage());
        try (var left = Files.list(dir.resolve("store"))) {
            assertEquals(2, left.count(), "re-encryption leaves no second copy or unfinished file");
        }
    }

    @Test
    void formatOneBlobsStayReadableUnderAnyKeyOfTheRingAndCanBeUpgraded() throws IOException {
        SecretKey oldKey = randomKey();
        SecretKey newKey = randomKey();
        var store = store(KeyRing.of(newKey, oldKey));
        String blobKey = UUID.randomUUID().toString();
        try (OutputStream out = Files.newOutputStream(file(blobKey));
                OutputStream sealing = SegmentedGcm.encryptingLegacy(oldKey, out)) {
            sealing.write(bytes("legacy "));
        }
        String context = BlobContexts.photo(UUID.randomUUID());
        assertEquals(Optional.empty(), store.keyIdOf(blobKey), "format 1 names no key");
        assertArrayEquals(bytes("legacy "), read(store, blobKey, context));

        assertTrue(store.reencrypt(blobKey, context));
        assertEquals(Optional.of(store.activeKeyId()), store.keyIdOf(blobKey));
        assertArrayEquals(bytes("legacy "), read(store(KeyRing.of(newKey)), blobKey, context));
        assertThrows(DecryptionFailedException.class,
                () -> read(store, blobKey, BlobContexts.photo(UUID.randomUUID())),
                "once upgraded, the blob is bound to its photo");
    }

    @Test
    void keyFilesReadableByGroupOrOthersAreRefused() throws IOException {
        Path keyFile = dir.resolve("storage.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(randomKey().getEncoded()));
        for (String loose : List.of("rw-r-----", "rw----r--", "rw-rw-rw-", "r--r--r--")) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(loose));
            var e = assertThrows(IllegalStateException.class, () -> KeyRing.load(keyFile, List.of()), loose);
            assertTrue(e.getMessage().contains("chmod 600") && e.getMessage().contains(loose), e.getMessage());
        }
        Path previous = dir.resolve("previous.key");
        Files.writeString(previous, Base64.getEncoder().encodeToString(randomKey().getEncoded()));
        Files.setPosixFilePermissions(previous, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        var e = assertThrows(IllegalStateException.class, () -> KeyRing.load(keyFile, List.of(previous)));
        assertTrue(e.getMessage().contains("previous-key-files"), e.getMessage());

        Files.setPosixFilePermissions(previous, PosixFilePermissions.fromString("r--------"));
        KeyRing ring = KeyRing.load(keyFile, List.of(previous));
        assertEquals(2, ring.all().size());
        assertEquals(keyFile, ring.active().file().orElseThrow());
    }

    @Test
    void unfinishedBlobsAreSweptAtStartUpAndAfterAFailedWrite() throws IOException {
        var store = store(KeyRing.of(randomKey()));
        Path storeDir = dir.resolve("store");
        Path stale = storeDir.resolve("." + UUID.randomUUID() + ".incoming");
        Path inProgress = storeDir.resolve("." + UUID.randomUUID() + ".incoming");
        Files.write(stale, new byte[] {1, 2, 3});
        Files.write(inProgress, new byte[] {4, 5, 6});
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(GRACE).minusSeconds(60)));

        assertEquals(1, store.sweepIncoming());
        assertFalse(Files.exists(stale), "older than the grace period: left by a crash");
        assertTrue(Files.exists(inProgress), "within the grace period: maybe another replica's write");

        Files.setLastModifiedTime(inProgress, FileTime.from(Instant.now().minus(GRACE).minusSeconds(60)));
        assertThrows(StoreUnavailableException.class, () -> store.put(BlobContexts.photo(UUID.randomUUID()), out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        }));
        assertFalse(Files.exists(inProgress), "a failed write sweeps what earlier failures left");
        try (var left = Files.list(storeDir)) {
            assertEquals(List.of(), left.toList());
        }

        Files.write(stale, new byte[] {1});
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(GRACE).minusSeconds(60)));
        store(KeyRing.of(randomKey())).sweepIncoming();
        assertFalse(Files.exists(stale));
    }

    @Test
    void sealedValuesAreBoundToTheirContext() throws IOException {
        SecretKey oldKey = randomKey();
        var store = store(KeyRing.of(oldKey));
        byte[] form = "%PDF-1.4 signed form".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = store.seal(BlobContexts.consentForm("c1", 1), form);
        assertFalse(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1).contains("signed form"));
        assertArrayEquals(form, store.unseal(BlobContexts.consentForm("c1", 1), sealed));
        assertThrows(DecryptionFailedException.class, () -> store.unseal(BlobContexts.consentForm("c1", 2), sealed));
        assertThrows(DecryptionFailedException.class, () -> store.unseal(BlobContexts.consentForm("c2", 1), sealed));
        var rotated = store(KeyRing.of(randomKey(), oldKey));
        assertEquals(Optional.of(KeyRing.idOf(oldKey.getEncoded())), rotated.keyIdOfSealed(sealed));
        assertArrayEquals(form, rotated.unseal(BlobContexts.consentForm("c1", 1), sealed));
    }
}
