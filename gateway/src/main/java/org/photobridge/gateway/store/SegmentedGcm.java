package org.photobridge.gateway.store;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Streaming AES-256-GCM in fixed-size segments, so photos of tens of megabytes are encrypted and
 * decrypted without holding them in memory. Each segment authenticates its number and whether it is
 * the last, so segments cannot be reordered, dropped or the file truncated without detection.
 *
 * <p>Format 2 (written today): magic {@code PBE2}, a 1-byte length and the master key's id (ASCII),
 * a 32-byte random salt, then segments of {@code [4-byte ciphertext length][ciphertext+tag]}. Every
 * segment states its length, so the segment size is the writer's choice (at most 1 MiB of plaintext):
 * blobs written until December 2026 have 1 MiB segments, today's have 16 KiB ones
 * ({@link #SEGMENT_SIZE}); both read the same way, and older gateways read today's blobs. Every
 * blob has its own data key, HKDF-SHA-256 (RFC 5869) of the master key with the salt and an info
 * string that carries the blob's context (the photo id); the header and the context are associated
 * data of every segment. A data key encrypts one blob only, so its nonces are simply the segment
 * numbers: no random nonce is ever drawn under a long-lived key, and NIST SP 800-38D's limit of
 * 2^32 random nonces per key cannot be approached however many photos one master key protects
 * (collisions of the 256-bit salt are negligible).
 *
 * <p>Format 1 (read only): magic {@code PBE1}, 8-byte random nonce prefix, then segments, all under
 * the master key itself; no key id and no context. Such a blob is tried with every key of the ring.
 */
final class SegmentedGcm {
    /**
     * Plaintext bytes per segment written today. Small on purpose: the JDK's AES-GCM runs its
     * intrinsics (AES-NI, carry-less multiply) only from JIT-compiled callers, and a caller is compiled
     * after some thousands of calls; at 1 MiB a segment (as written before) a 4 MB photo made four
     * calls, the JIT never compiled them and every photo went through the JDK's bit-by-bit GHASH in
     * Java at about 20 MB/s. At 16 KiB a photo makes some 250 calls, the JIT compiles them within the
     * first photos and a segment takes microseconds. Costs 20 bytes (length and tag) per 16 KiB.
     */
    static final int SEGMENT_SIZE = 16 << 10;
    /**
     * The largest segment a reader accepts: blobs written before segments were 16 KiB have 1 MiB
     * segments, and the format lets a writer choose any size up to this.
     */
    static final int MAX_SEGMENT_SIZE = 1 << 20;
    static final byte[] MAGIC_V1 = "PBE1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAGIC_V2 = "PBE2".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT_BYTES = 32;
    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;
    private static final byte[] HKDF_INFO = "PhotoBridge blob data key v2\0".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentedGcm() {
    }

    /** What a blob's header says: its format and, from format 2 on, the id of its master key. */
    record Header(int format, Optional<String> keyId) {
    }

    /** Encrypts what is written to the returned stream into {@code out} (format 2); close it to seal the blob. */
    static OutputStream encrypting(KeyRing.MasterKey key, String context, OutputStream out) throws IOException {
        return encrypting(key, context, out, SEGMENT_SIZE);
    }

    /**
     * As {@link #encrypting(KeyRing.MasterKey, String, OutputStream)} with segments of {@code segmentSize}
     * plaintext bytes: tests write blobs with the 1 MiB segments of earlier versions through it.
     */
    static OutputStream encrypting(KeyRing.MasterKey key, String context, OutputStream out, int segmentSize)
            throws IOException {
        if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("segment size must be 1.." + MAX_SEGMENT_SIZE);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] id = key.id().getBytes(StandardCharsets.US_ASCII);
        var header = new ByteArrayOutputStream();
        header.write(MAGIC_V2);
        header.write(id.length);
        header.write(id);
        header.write(salt);
        byte[] headerBytes = header.toByteArray();
        out.write(headerBytes);
        SecretKey dataKey = dataKey(key.key(), salt, context);
        return new EncryptingStream(dataKey, new byte[8], aad(headerBytes, context), out, segmentSize);
    }

    /** Format 1, as written before per-blob keys: kept so tests can make the blobs old stores hold. */
    static OutputStream encryptingLegacy(SecretKey key, OutputStream out) throws IOException {
        byte[] prefix = new byte[8];
        RANDOM.nextBytes(prefix);
        out.write(MAGIC_V1);
        out.write(prefix);
        return new EncryptingStream(key, prefix, new byte[0], out, MAX_SEGMENT_SIZE);
    }

    /** Reads a blob's header only. */
    static Header header(InputStream in) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (Arrays.equals(magic, MAGIC_V1)) {
            return new Header(1, Optional.empty());
        }
        if (Arrays.equals(magic, MAGIC_V2)) {
            int length = in.read();
            if (length <= 0) {
                throw new DecryptionFailedException("encrypted blob truncated in its header");
            }
            byte[] id = in.readNBytes(length);
            if (id.length != length) {
                throw new DecryptionFailedException("encrypted blob truncated in its header");
            }
            return new Header(2, Optional.of(new String(id, StandardCharsets.US_ASCII)));
        }
        throw new DecryptionFailedException("not a PhotoBridge encrypted blob");
    }

    /** Decrypts a whole blob into {@code out}, failing on any tampering, truncation or wrong context. */
    static void decrypt(KeyRing keys, String context, InputStream in, OutputStream out) throws IOException {
        try (InputStream plain = decrypting(keys, context, in)) {
            plain.transferTo(out);
        }
    }

    /**
     * A stream of the blob's plaintext, decrypted one segment (1 MiB) at a time: nothing but the
     * segment in hand is held in memory or written anywhere. Each segment is authenticated before any
     * of its bytes are returned; a blob cut short, tampered with, under an unknown key or bound to
     * another context fails with a {@link DecryptionFailedException} when the reader reaches the damage.
     */
    static InputStream decrypting(KeyRing keys, String context, InputStream in) throws IOException {
        return new DecryptingStream(keys, context,
                in.markSupported() ? in : new java.io.BufferedInputStream(in, 1 << 16));
    }

    /** HKDF-SHA-256 (RFC 5869) of the master key: one 256-bit data key per blob. */
    static SecretKey dataKey(SecretKey master, byte[] salt, String context) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = extract.doFinal(master.getEncoded());
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(HKDF_INFO);
            expand.update(context.getBytes(StandardCharsets.UTF_8));
            expand.update((byte) 1);
            byte[] okm = expand.doFinal();
            Arrays.fill(prk, (byte) 0);
            return new SecretKeySpec(okm, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    private static byte[] aad(byte[] header, String context) {
        byte[] ctx = context.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + 4 + ctx.length).put(header).putInt(ctx.length).put(ctx).array();
    }

    private static final class DecryptingStream extends InputStream {
        private final KeyRing keys;
        private final String context;
        private final InputStream in;
        private final byte[] lengthBytes = new byte[4];
        private SecretKey key;
        private List<KeyRing.MasterKey> candidates;
        private byte[] prefix;
        private byte[] aad;
        /** One cipher for the whole blob, initialised again for every segment (each has its own nonce). */
        private Cipher cipher;
        /** The segment read from the blob, and its plaintext: grown to the largest segment seen, reused. */
        private byte[] sealed = new byte[0];
        private byte[] plain = new byte[0];
        private int plainLength;
        private int position;
        private int index;
        private boolean finished;

        DecryptingStream(KeyRing keys, String context, InputStream in) {
            this.keys = keys;
            this.context = context;
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (position == plainLength) {
                if (finished) {
                    return -1;
                }
                nextSegment();
            }
            int n = Math.min(len, plainLength - position);
            System.arraycopy(plain, position, b, off, n);
            position += n;
            return n;
        }

        private void readHeader() throws IOException {
            Header header = header(in);
            cipher = newCipher();
            if (header.format() == 1) {
                prefix = in.readNBytes(8);
                if (prefix.length != 8) {
                    throw new DecryptionFailedException("encrypted blob truncated in its header");
                }
                aad = new byte[0];
                candidates = keys.all();
                return;
            }
            String id = header.keyId().orElseThrow();
            KeyRing.MasterKey master = keys.byId(id).orElseThrow(() -> new DecryptionFailedException(
                    "encrypted blob is under master key " + id + ", which is not in the key ring"));
            byte[] salt = in.readNBytes(SALT_BYTES);
            if (salt.length != SALT_BYTES) {
                throw new DecryptionFailedException("encrypted blob truncated in its header");
            }
            byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
            byte[] headerBytes = ByteBuffer.allocate(4 + 1 + idBytes.length + SALT_BYTES).put(MAGIC_V2)
                    .put((byte) idBytes.length).put(idBytes).put(salt).array();
            key = dataKey(master.key(), salt, context);
            prefix = new byte[8];
            aad = aad(headerBytes, context);
        }

        private void nextSegment() throws IOException {
            if (prefix == null) {
                readHeader();
            }
            int got = in.readNBytes(lengthBytes, 0, 4);
            if (got == 0) {
                throw new DecryptionFailedException("encrypted blob truncated: final segment missing");
            }
            if (got != 4) {
                throw new DecryptionFailedException("encrypted blob truncated in a segment header");
            }
            int length = ByteBuffer.wrap(lengthBytes).getInt();
            if (length < TAG_BYTES || length > MAX_SEGMENT_SIZE + TAG_BYTES) {
                throw new DecryptionFailedException("encrypted blob has a corrupt segment length");
            }
            if (sealed.length < length) {
                sealed = new byte[length];
                plain = new byte[length];
            }
            if (in.readNBytes(sealed, 0, length) != length) {
                throw new DecryptionFailedException("encrypted blob truncated inside a segment");
            }
            // The last flag is authenticated, so a blob cut at a segment boundary fails here.
            boolean last = peekEnd(in);
            // Nothing of a segment is readable until it has authenticated.
            plainLength = 0;
            position = 0;
            if (key == null) {
                // Format 1 names no key: the first segment that authenticates tells which one it is.
                DecryptionFailedException failure = null;
                for (KeyRing.MasterKey candidate : candidates) {
                    try {
                        plainLength = crypt(cipher, Cipher.DECRYPT_MODE, candidate.key(), prefix, aad, index, last,
                                sealed, length, plain, 0);
                        key = candidate.key();
                        break;
                    } catch (DecryptionFailedException e) {
                        failure = e;
                    }
                }
                if (key == null) {
                    throw failure != null ? failure : new DecryptionFailedException("the key ring is empty");
                }
            } else {
                plainLength = crypt(cipher, Cipher.DECRYPT_MODE, key, prefix, aad, index, last, sealed, length, plain,
                        0);
            }
            finished = last;
            index++;
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(plain, (byte) 0);
            in.close();
        }
    }

    private static boolean peekEnd(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IOException("decryption needs a stream that supports mark");
        }
        in.mark(1);
        int b = in.read();
        in.reset();
        return b < 0;
    }

    /**
     * Holds one segment; a full segment is sealed only when more bytes arrive, because only then is it
     * known not to be the last one. {@link #close()} seals the last segment (possibly empty). One
     * cipher serves every segment (initialised again with the segment's nonce), and each sealed
     * segment goes out with its length in one write.
     */
    private static final class EncryptingStream extends OutputStream {
        private final SecretKey key;
        private final OutputStream out;
        private final byte[] prefix;
        private final byte[] aad;
        private final Cipher cipher;
        private final int segmentSize;
        private final byte[] buffer;
        /** The length field and the sealed segment, as written. */
        private final byte[] sealed;
        private int length;
        private int index;
        private boolean closed;

        EncryptingStream(SecretKey key, byte[] prefix, byte[] aad, OutputStream out, int segmentSize)
                throws IOException {
            this.key = key;
            this.prefix = prefix;
            this.aad = aad;
            this.out = out;
            this.cipher = newCipher();
            this.segmentSize = segmentSize;
            this.buffer = new byte[segmentSize];
            this.sealed = new byte[4 + segmentSize + TAG_BYTES];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            while (len > 0) {
                if (length == segmentSize) {
                    seal(false);
                }
                int n = Math.min(len, segmentSize - length);
                System.arraycopy(b, off, buffer, length, n);
                length += n;
                off += n;
                len -= n;
            }
        }

        private void seal(boolean last) throws IOException {
            if (index == Integer.MAX_VALUE) {
                throw new IOException("blob too large for one data key");
            }
            int n = crypt(cipher, Cipher.ENCRYPT_MODE, key, prefix, aad, index, last, buffer, length, sealed, 4);
            sealed[0] = (byte) (n >>> 24);
            sealed[1] = (byte) (n >>> 16);
            sealed[2] = (byte) (n >>> 8);
            sealed[3] = (byte) n;
            out.write(sealed, 0, 4 + n);
            index++;
            length = 0;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                seal(true);
                Arrays.fill(buffer, (byte) 0);
                out.flush();
            }
        }
    }

    private static Cipher newCipher() throws IOException {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM unavailable: " + e.getMessage(), e);
        }
    }

    /** Seals or opens one segment of {@code length} bytes into {@code out} at {@code outOffset}; returns the bytes written. */
    private static int crypt(Cipher cipher, int mode, SecretKey key, byte[] prefix, byte[] aad, int index,
            boolean last, byte[] data, int length, byte[] out, int outOffset) throws IOException {
        try {
            byte[] nonce = ByteBuffer.allocate(12).put(prefix).putInt(index).array();
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            cipher.updateAAD(ByteBuffer.allocate(5).putInt(index).put((byte) (last ? 1 : 0)).array());
            return cipher.doFinal(data, 0, length, out, outOffset);
        } catch (AEADBadTagException e) {
            throw new DecryptionFailedException("encrypted blob failed authentication (wrong key, tampering, "
                    + "truncation, or a blob that belongs to another photo)", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM unavailable: " + e.getMessage(), e);
        }
    }
}
