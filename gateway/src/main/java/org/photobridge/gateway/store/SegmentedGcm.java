package org.photobridge.gateway.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Streaming AES-256-GCM in fixed-size segments, so photos of tens of megabytes are encrypted and
 * decrypted without holding them in memory. Each segment has its own nonce (random 8-byte prefix
 * plus the segment number) and authenticates its number and whether it is the last, so segments
 * cannot be reordered, dropped or the file truncated without detection.
 *
 * <p>File layout: magic {@code PBE1}, 8-byte nonce prefix, then segments of
 * {@code [4-byte ciphertext length][ciphertext+tag]}.
 */
final class SegmentedGcm {
    static final int SEGMENT_SIZE = 1 << 20;
    private static final byte[] MAGIC = "PBE1".getBytes(StandardCharsets.US_ASCII);
    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentedGcm() {
    }

    /** Returns a stream that encrypts what is written to it into {@code out}; close it to seal the blob. */
    static OutputStream encrypting(SecretKey key, OutputStream out) throws IOException {
        return new EncryptingStream(key, out);
    }

    /** Decrypts a whole blob into {@code out}, failing on any tampering or truncation. */
    static void decrypt(SecretKey key, InputStream in, OutputStream out) throws IOException {
        try (InputStream plain = decrypting(key, in)) {
            plain.transferTo(out);
        }
    }

    /**
     * A stream of the blob's plaintext, decrypted one segment (1 MiB) at a time: nothing but the
     * segment in hand is held in memory or written anywhere. Each segment is authenticated before any
     * of its bytes are returned; a blob cut short or tampered with fails with an IOException when the
     * reader reaches the damage.
     */
    static InputStream decrypting(SecretKey key, InputStream in) throws IOException {
        return new DecryptingStream(key, in.markSupported() ? in : new java.io.BufferedInputStream(in, 1 << 16));
    }

    private static final class DecryptingStream extends InputStream {
        private final SecretKey key;
        private final InputStream in;
        private byte[] prefix;
        private byte[] plain = new byte[0];
        private int position;
        private int index;
        private boolean finished;

        DecryptingStream(SecretKey key, InputStream in) {
            this.key = key;
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (position == plain.length) {
                if (finished) {
                    return -1;
                }
                nextSegment();
            }
            int n = Math.min(len, plain.length - position);
            System.arraycopy(plain, position, b, off, n);
            position += n;
            return n;
        }

        private void nextSegment() throws IOException {
            if (prefix == null) {
                byte[] magic = in.readNBytes(MAGIC.length);
                if (!Arrays.equals(magic, MAGIC)) {
                    throw new IOException("not a PhotoBridge encrypted blob");
                }
                prefix = in.readNBytes(8);
                if (prefix.length != 8) {
                    throw new EOFException("encrypted blob truncated in its header");
                }
            }
            byte[] lengthBytes = in.readNBytes(4);
            if (lengthBytes.length == 0) {
                throw new EOFException("encrypted blob truncated: final segment missing");
            }
            if (lengthBytes.length != 4) {
                throw new EOFException("encrypted blob truncated in a segment header");
            }
            int length = ByteBuffer.wrap(lengthBytes).getInt();
            if (length < TAG_BYTES || length > SEGMENT_SIZE + TAG_BYTES) {
                throw new IOException("encrypted blob has a corrupt segment length");
            }
            byte[] sealed = in.readNBytes(length);
            if (sealed.length != length) {
                throw new EOFException("encrypted blob truncated inside a segment");
            }
            // The last flag is authenticated, so a blob cut at a segment boundary fails here.
            boolean last = peekEnd(in);
            plain = crypt(Cipher.DECRYPT_MODE, key, prefix, index, last, sealed, sealed.length);
            position = 0;
            finished = last;
            index++;
        }

        @Override
        public void close() throws IOException {
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
     * known not to be the last one. {@link #close()} seals the last segment (possibly empty).
     */
    private static final class EncryptingStream extends OutputStream {
        private final SecretKey key;
        private final OutputStream out;
        private final byte[] prefix = new byte[8];
        private final byte[] buffer = new byte[SEGMENT_SIZE];
        private int length;
        private int index;
        private boolean closed;

        EncryptingStream(SecretKey key, OutputStream out) throws IOException {
            this.key = key;
            this.out = out;
            RANDOM.nextBytes(prefix);
            out.write(MAGIC);
            out.write(prefix);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            while (len > 0) {
                if (length == SEGMENT_SIZE) {
                    seal(false);
                }
                int n = Math.min(len, SEGMENT_SIZE - length);
                System.arraycopy(b, off, buffer, length, n);
                length += n;
                off += n;
                len -= n;
            }
        }

        private void seal(boolean last) throws IOException {
            byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key, prefix, index, last, buffer, length);
            out.write(ByteBuffer.allocate(4).putInt(sealed.length).array());
            out.write(sealed);
            index++;
            length = 0;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                seal(true);
                out.flush();
            }
        }
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] prefix, int index, boolean last, byte[] data,
            int length) throws IOException {
        try {
            byte[] nonce = ByteBuffer.allocate(12).put(prefix).putInt(index).array();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(ByteBuffer.allocate(5).putInt(index).put((byte) (last ? 1 : 0)).array());
            return cipher.doFinal(data, 0, length);
        } catch (AEADBadTagException e) {
            throw new IOException("encrypted blob failed authentication (wrong key, tampering or truncation)", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM unavailable: " + e.getMessage(), e);
        }
    }
}
