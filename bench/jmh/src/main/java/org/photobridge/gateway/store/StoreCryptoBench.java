package org.photobridge.gateway.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The photo store's encryption ({@link SegmentedGcm}, format 2) against the JDK's own AES-256-GCM
 * (SunJCE) over the same bytes, a photo's worth (3.6 MB, the size of benchmark 2's 12 MP JPEGs).
 * It lives in the store's package to reach {@link SegmentedGcm} without widening its access.
 *
 * <p>References: {@code sunjceEncryptSliced}/{@code sunjceDecryptSegments} are SunJCE at its best on
 * JDK 17 (many calls of at most 16 KiB, which its JIT-compiled intrinsics serve);
 * {@code sunjceEncryptOneCall}/{@code sunjceDecryptOneCall} are one {@code doFinal} over the whole
 * photo, which on JDK 17 is never intrinsified (a few calls per photo never get its callers compiled).
 * {@code store*Segments1MiB} is the store as it wrote before (1 MiB segments), which is in the same
 * trap. Before timing, each store variant's output is decrypted and compared with the input.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class StoreCryptoBench {
    private static final String CONTEXT = "photo:00000000-0000-4000-8000-000000000001";
    private static final int SLICE = 16 << 10;

    @Param({"3600000"})
    public int bytes;

    private byte[] plain;
    private SecretKey rawKey;
    private KeyRing keys;
    private byte[] blob;
    private byte[] blob1MiB;
    private byte[] sunjceSealed;
    private byte[][] sunjceSegments;
    private byte[] out;
    private final Sink sink = new Sink();
    private long nonceCounter;

    /** A reusable in-memory destination, so the benchmark times encryption and not allocation of the result. */
    private static final class Sink extends ByteArrayOutputStream {
        Sink() {
            super(8 << 20);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        plain = new byte[bytes];
        new SplittableRandom(10).nextBytes(plain);
        byte[] raw = new byte[32];
        new SplittableRandom(11).nextBytes(raw);
        rawKey = new SecretKeySpec(raw, "AES");
        keys = KeyRing.of(rawKey);
        out = new byte[bytes + 16];
        blob = sealStore(SegmentedGcm.SEGMENT_SIZE);
        blob1MiB = sealStore(SegmentedGcm.MAX_SEGMENT_SIZE);
        for (byte[] b : new byte[][] {blob, blob1MiB}) {
            var back = new ByteArrayOutputStream(bytes);
            SegmentedGcm.decrypt(keys, CONTEXT, new ByteArrayInputStream(b), back);
            if (!Arrays.equals(back.toByteArray(), plain)) {
                throw new IllegalStateException("the store's blob does not decrypt to the photo");
            }
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(0)));
        sunjceSealed = cipher.doFinal(plain);
        int segments = (bytes + SLICE - 1) / SLICE;
        sunjceSegments = new byte[segments][];
        for (int i = 0; i < segments; i++) {
            cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(i + 1)));
            sunjceSegments[i] = cipher.doFinal(plain, i * SLICE, Math.min(SLICE, bytes - i * SLICE));
        }
        nonceCounter = segments + 1;
    }

    private byte[] sealStore(int segmentSize) throws IOException {
        var target = new ByteArrayOutputStream(bytes + (1 << 20));
        try (OutputStream sealing = SegmentedGcm.encrypting(keys.active(), CONTEXT, target, segmentSize)) {
            sealing.write(plain);
        }
        return target.toByteArray();
    }

    private static byte[] nonce(long n) {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] = (byte) (n >>> (8 * i));
        }
        return nonce;
    }

    @Benchmark
    public int storeEncrypt() throws IOException {
        sink.reset();
        try (OutputStream sealing = SegmentedGcm.encrypting(keys.active(), CONTEXT, sink)) {
            sealing.write(plain);
        }
        return sink.size();
    }

    @Benchmark
    public long storeDecrypt() throws IOException {
        try (var in = SegmentedGcm.decrypting(keys, CONTEXT, new ByteArrayInputStream(blob))) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Benchmark
    public int storeEncryptSegments1MiB() throws IOException {
        sink.reset();
        try (OutputStream sealing = SegmentedGcm.encrypting(keys.active(), CONTEXT, sink, SegmentedGcm.MAX_SEGMENT_SIZE)) {
            sealing.write(plain);
        }
        return sink.size();
    }

    @Benchmark
    public long storeDecryptSegments1MiB() throws IOException {
        try (var in = SegmentedGcm.decrypting(keys, CONTEXT, new ByteArrayInputStream(blob1MiB))) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** SunJCE, one cipher, the photo fed in 16 KiB {@code update} calls. */
    @Benchmark
    public int sunjceEncryptSliced() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(nonceCounter++)));
        int o = 0;
        int p = 0;
        for (; bytes - p > SLICE; p += SLICE) {
            o += cipher.update(plain, p, SLICE, out, o);
        }
        return o + cipher.doFinal(plain, p, bytes - p, out, o);
    }

    /** SunJCE, the photo sealed as independent 16 KiB messages (its decryption buffers a whole message). */
    @Benchmark
    public int sunjceDecryptSegments() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        int o = 0;
        for (int i = 0; i < sunjceSegments.length; i++) {
            cipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(i + 1)));
            o += cipher.doFinal(sunjceSegments[i], 0, sunjceSegments[i].length, out, o);
        }
        return o;
    }

    /** SunJCE, one {@code doFinal} over the whole photo. */
    @Benchmark
    public int sunjceEncryptOneCall() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(nonceCounter++)));
        return cipher.doFinal(plain, 0, bytes, out, 0);
    }

    @Benchmark
    public int sunjceDecryptOneCall() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce(0)));
        return cipher.doFinal(sunjceSealed, 0, sunjceSealed.length, out, 0);
    }
}
