package org.photobridge.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 2 blobs were written with 1 MiB segments until the writer moved to 16 KiB ones (so the
 * JDK's AES-GCM intrinsics serve them): both must read, and the smaller segments must not weaken
 * the detection of reordering, dropping, truncating or tampering.
 */
class SegmentSizeTest {
    private static final String CONTEXT = BlobContexts.photo(UUID.fromString("00000000-0000-4000-8000-000000000002"));
    private static final int PHOTO = 3 * SegmentedGcm.MAX_SEGMENT_SIZE + 12345;

    @TempDir
    Path dir;

    private final KeyRing keys = KeyRing.of(key((byte) 7));
    private EncryptedBlobStore store;

    private static SecretKeySpec key(byte b) {
        byte[] raw = new byte[32];
        Arrays.fill(raw, b);
        return new SecretKeySpec(raw, "AES");
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private EncryptedBlobStore store() {
        if (store == null) {
            store = new EncryptedBlobStore(dir.resolve("store"), keys, Duration.ofMinutes(10));
        }
        return store;
    }

    private Path file(String blobKey) {
        return dir.resolve("store").resolve(blobKey + ".pbe");
    }

    /** A blob as the gateway wrote it before: format 2 with 1 MiB segments, placed in the store. */
    private String oldBlob(byte[] plain) throws IOException {
        store();
        String blobKey = UUID.randomUUID().toString();
        try (OutputStream file = Files.newOutputStream(file(blobKey));
                OutputStream sealing = SegmentedGcm.encrypting(keys.active(), CONTEXT, file,
                        SegmentedGcm.MAX_SEGMENT_SIZE)) {
            sealing.write(plain);
        }
        return blobKey;
    }

    private static int headerLength(byte[] blob) {
        return 4 + 1 + (blob[4] & 0xff) + 32;
    }

    /** Offset and total length (length field included) of every segment. */
    private static List<int[]> segments(byte[] blob) {
        var list = new ArrayList<int[]>();
        for (int p = headerLength(blob); p < blob.length; ) {
            int length = ByteBuffer.wrap(blob, p, 4).getInt();
            list.add(new int[] {p, 4 + length});
            p += 4 + length;
        }
        return list;
    }

    private byte[] read(String blobKey) throws IOException {
        var out = new ByteArrayOutputStream();
        store().decryptTo(blobKey, CONTEXT, out);
        return out.toByteArray();
    }

    private void assertUnreadable(String blobKey, String what) throws IOException {
        assertThrows(DecryptionFailedException.class, () -> read(blobKey), what);
        try (var in = store().open(blobKey, CONTEXT)) {
            assertThrows(DecryptionFailedException.class, in::readAllBytes, what + " (streamed)");
        }
    }

    @Test
    void newBlobsHave16KiBSegmentsAndOldOnesWith1MiBStillRead() throws IOException {
        byte[] plain = random(PHOTO);
        var fresh = store().put(CONTEXT, out -> out.write(plain));
        String old = oldBlob(plain);

        List<int[]> freshSegments = segments(Files.readAllBytes(file(fresh.key())));
        List<int[]> oldSegments = segments(Files.readAllBytes(file(old)));
        assertEquals((PHOTO + SegmentedGcm.SEGMENT_SIZE - 1) / SegmentedGcm.SEGMENT_SIZE, freshSegments.size());
        assertEquals(4 + SegmentedGcm.SEGMENT_SIZE + 16, freshSegments.get(0)[1]);
        assertEquals(4, oldSegments.size());
        assertEquals(4 + SegmentedGcm.MAX_SEGMENT_SIZE + 16, oldSegments.get(0)[1]);

        assertArrayEquals(plain, read(fresh.key()));
        assertArrayEquals(plain, read(old), "a blob with 1 MiB segments reads as before");
        try (var in = store().open(old, CONTEXT)) {
            var streamed = new ByteArrayOutputStream();
            byte[] piece = new byte[70_001];
            for (int n; (n = in.read(piece, 0, piece.length)) >= 0; ) {
                streamed.write(piece, 0, n);
            }
            assertArrayEquals(plain, streamed.toByteArray());
        }
        assertEquals(Boolean.FALSE, store().reencrypt(old, CONTEXT), "already under the active key");
    }

    @Test
    void swappedSegmentsAreDetected() throws IOException {
        var blob = store().put(CONTEXT, out -> out.write(random(PHOTO)));
        byte[] bytes = Files.readAllBytes(file(blob.key()));
        List<int[]> segments = segments(bytes);
        int[] a = segments.get(1);
        int[] b = segments.get(2);
        byte[] swapped = bytes.clone();
        System.arraycopy(bytes, b[0], swapped, a[0], b[1]);
        System.arraycopy(bytes, a[0], swapped, a[0] + b[1], a[1]);
        Files.write(file(blob.key()), swapped);
        assertUnreadable(blob.key(), "segments 1 and 2 swapped");
    }

    @Test
    void aDroppedMiddleSegmentIsDetected() throws IOException {
        var blob = store().put(CONTEXT, out -> out.write(random(PHOTO)));
        byte[] bytes = Files.readAllBytes(file(blob.key()));
        int[] middle = segments(bytes).get(5);
        var out = new ByteArrayOutputStream();
        out.write(bytes, 0, middle[0]);
        out.write(bytes, middle[0] + middle[1], bytes.length - middle[0] - middle[1]);
        Files.write(file(blob.key()), out.toByteArray());
        assertUnreadable(blob.key(), "segment 5 dropped");
    }

    @Test
    void truncationInsideASegmentAndAtItsEndIsDetected() throws IOException {
        byte[] plain = random(PHOTO);
        for (boolean old : new boolean[] {false, true}) {
            String blobKey = old ? oldBlob(plain) : store().put(CONTEXT, out -> out.write(plain)).key();
            byte[] bytes = Files.readAllBytes(file(blobKey));
            int[] second = segments(bytes).get(1);
            Files.write(file(blobKey), Arrays.copyOf(bytes, second[0] + second[1]));
            assertUnreadable(blobKey, "cut after segment 1, old format " + old);
            Files.write(file(blobKey), Arrays.copyOf(bytes, second[0] + 100));
            assertUnreadable(blobKey, "cut inside segment 1, old format " + old);
            Files.write(file(blobKey), Arrays.copyOf(bytes, bytes.length - 1));
            assertUnreadable(blobKey, "last byte cut, old format " + old);
        }
    }

    @Test
    void aFlippedBitInAnySegmentIsDetectedBeforeItsBytesAreReturned() throws IOException {
        byte[] plain = random(PHOTO);
        var blob = store().put(CONTEXT, out -> out.write(plain));
        byte[] bytes = Files.readAllBytes(file(blob.key()));
        List<int[]> segments = segments(bytes);
        int[] last = segments.get(segments.size() - 1);
        byte[] tampered = bytes.clone();
        tampered[last[0] + 4 + 3] ^= 0x10;
        Files.write(file(blob.key()), tampered);
        try (var in = store().open(blob.key(), CONTEXT)) {
            // Every segment before the last authenticates and reads; the last one fails as a whole.
            byte[] good = in.readNBytes(PHOTO - (last[1] - 4 - 16));
            assertArrayEquals(Arrays.copyOf(plain, good.length), good);
            assertThrows(DecryptionFailedException.class, in::read);
        }
    }

    @Test
    void aSegmentLengthAboveOneMebibyteIsRefused() throws IOException {
        var blob = store().put(CONTEXT, out -> out.write(random(5000)));
        byte[] bytes = Files.readAllBytes(file(blob.key()));
        ByteBuffer.wrap(bytes, headerLength(bytes), 4).putInt(SegmentedGcm.MAX_SEGMENT_SIZE + 17);
        Files.write(file(blob.key()), bytes);
        var e = assertThrows(DecryptionFailedException.class, () -> read(blob.key()));
        assertTrue(e.getMessage().contains("corrupt segment length"), e.getMessage());
    }

    @Test
    void sealedValuesStillRoundTripAndOldSealedValuesOpen() throws IOException {
        byte[] form = random(40_000);
        assertArrayEquals(form, store().unseal(CONTEXT, store().seal(CONTEXT, form)));
        var old = new ByteArrayOutputStream();
        try (OutputStream sealing = SegmentedGcm.encrypting(keys.active(), CONTEXT, old, SegmentedGcm.MAX_SEGMENT_SIZE)) {
            sealing.write(form);
        }
        assertArrayEquals(form, store().unseal(CONTEXT, old.toByteArray()));
        assertThrows(DecryptionFailedException.class, () -> SegmentedGcm.decrypt(keys, "photo:another",
                new ByteArrayInputStream(old.toByteArray()), new ByteArrayOutputStream()));
    }
}
