package org.photobridge.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.photobridge.gateway.dicom.PhotoInstance;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.intake.MultipartUpload;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.KeptJpegScanCheck;
import org.photobridge.gateway.photo.PhotoCleaner;
import org.photobridge.gateway.photo.PhotoLimits;

/**
 * Benchmark 3 of docs/performance.md: the gateway's cleaning and wrapping against a plain copy of
 * the same bytes. The copy reads the upload into the heap and writes it out again, which is the
 * least any accept path does with a file; cleaning reads the same file, strips its metadata at the
 * marker level (the photo needs no rotation, so its entropy-coded data is kept) and writes the
 * cleaned stream. The 48-megapixel photos carry EXIF orientation 6: one of 8000 × 5992, whose bottom
 * edge is half an MCU, takes the full path (decode, rotate, re-encode, wrap as a VL Photographic
 * Image); one of 8000 × 6000, whole MCUs, is turned by moving its blocks (JpegBlockTurn) and
 * wrapped. {@code scanCheck12mp} times alone the
 * part of cleaning that reads the kept photo's entropy-coded data (JpegScanCheck), and
 * {@code cleanMarkers12mp} the rest (marker-level cleaning alone), so that the summary can tell the
 * two apart. Run with {@code -prof gc} for the allocation per
 * photo (bench/cleaning.sh does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 4)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Djava.awt.headless=true"})
public class CleaningBench {

    private static final byte[] SERIAL = "SN-BENCH-0001".getBytes(StandardCharsets.US_ASCII);

    private final PhotoCleaner cleaner = new PhotoCleaner();
    private final VlPhotoWriter writer = new VlPhotoWriter();
    private Path baseline12;
    private String baseline12Sha;
    private Path rotated48;
    private String rotated48Sha;
    private Path turned48;
    private String turned48Sha;
    private Path out;
    private byte[] body12;
    private static final String BOUNDARY = "----benchBoundary7MA4YWxkTrZu0gW";
    private static final MultipartUpload.Limits LIMITS = new MultipartUpload.Limits(64L << 20, 64 << 10, 80L << 20);
    private KeptJpegScanCheck scanCheck;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = Path.of(System.getProperty("bench.images", "target/bench-images"));
        baseline12 = BenchJpegs.photo(dir, 4000, 3000, 1);
        rotated48 = BenchJpegs.photo(dir, 8000, 5992, 6);
        turned48 = BenchJpegs.photo(dir, 8000, 6000, 6);
        baseline12Sha = sha256(Files.readAllBytes(baseline12));
        rotated48Sha = sha256(Files.readAllBytes(rotated48));
        turned48Sha = sha256(Files.readAllBytes(turned48));
        out = Files.createTempFile(dir, "bench-out", ".bin");
        scanCheck = new KeptJpegScanCheck(Files.readAllBytes(baseline12));
        body12 = multipart(Files.readAllBytes(baseline12));

        // The benchmark times nothing unless cleaning really strips and rotates: check once.
        CleanedPhoto baseline = cleaner.clean(baseline12, PhotoLimits.DEFAULT, baseline12Sha);
        require(!contains(baseline.pixelData(), SERIAL), "the 12 MP photo's serial number survived cleaning");
        require(!contains(baseline.pixelArray(), SERIAL),
                "the 12 MP photo's serial number survived in its array's tail");
        require(baseline.pixelData().length < Files.size(baseline12), "the 12 MP photo was not cleaned");
        require(Arrays.equals(KeptJpegScanCheck.markerLevelOnly(Files.readAllBytes(baseline12)), baseline.pixelData()),
                "marker-level cleaning alone does not give what cleaning keeps");
        CleanedPhoto rotated = cleaner.clean(rotated48, PhotoLimits.DEFAULT, rotated48Sha);
        require(rotated.columns() == 5992 && rotated.rows() == 8000 && rotated.source().reencoded(),
                "the 48 MP photo of half an MCU at its edge was not decoded, turned upright and encoded");
        CleanedPhoto turned = cleaner.clean(turned48, PhotoLimits.DEFAULT, turned48Sha);
        require(turned.columns() == 6000 && turned.rows() == 8000 && !turned.source().reencoded(),
                "the 48 MP photo of whole MCUs was not turned upright by moving its blocks");
    }

    /** The reference: the same bytes read into the heap and written out, untouched. */
    @Benchmark
    public long copy12mp() throws IOException {
        byte[] bytes = Files.readAllBytes(baseline12);
        Files.write(out, bytes);
        return bytes.length;
    }

    /** Marker-level cleaning of a baseline 12-megapixel JPEG that needs no rotation. */
    @Benchmark
    public long clean12mp() throws IOException {
        CleanedPhoto photo = cleaner.clean(baseline12, PhotoLimits.DEFAULT, baseline12Sha);
        // The cleaned stream is the start of its array (the upload compacted in place): written as is.
        try (OutputStream file = Files.newOutputStream(out)) {
            file.write(photo.pixelArray(), 0, photo.pixelDataLength());
        }
        return photo.pixelDataLength();
    }

    /**
     * The marker-level part of {@link #clean12mp} alone, read and written like the copy: what cleaning
     * a kept photo costs without the check of its scans ({@link #scanCheck12mp}).
     */
    @Benchmark
    public long cleanMarkers12mp() throws IOException {
        byte[] cleaned = KeptJpegScanCheck.markerLevelOnly(Files.readAllBytes(baseline12));
        Files.write(out, cleaned);
        return cleaned.length;
    }

    /** The scan check of the same photo alone (its stream parsed before), a part of {@link #clean12mp}. */
    @Benchmark
    public long scanCheck12mp() {
        scanCheck.run();
        return 1;
    }

    /** Reference for {@link #scanCheck12mp}: the ImageIO decode that checked kept photos before it. */
    @Benchmark
    public long imageIoCheck12mp() {
        scanCheck.runImageIoDecode();
        return 1;
    }

    /** Cleaning and wrapping as a DICOM VL Photographic Image file. */
    @Benchmark
    public long cleanAndWrap12mp() throws IOException {
        CleanedPhoto photo = cleaner.clean(baseline12, PhotoLimits.DEFAULT, baseline12Sha);
        writer.write(photo, instance(), out);
        return Files.size(out);
    }

    /**
     * The accept path's share of the JVM's heap without database and store: the multipart body (the
     * file first, then the metadata, as the capture page sends it, with its Content-Length) received
     * by {@code MultipartUpload}, cleaned in the array it arrived in and wrapped (to a null stream).
     */
    @Benchmark
    public long receiveCleanAndWrap12mp() throws IOException {
        try (var upload = MultipartUpload.read(new ByteArrayInputStream(body12), "multipart/form-data; boundary="
                + BOUNDARY, OptionalLong.of(body12.length), LIMITS, cleaner.budget())) {
            var file = upload.file().orElseThrow();
            return cleaner.clean(file.array(), file.length(), file.memory(), PhotoLimits.DEFAULT, file.sha256(),
                    photo -> {
                        try (OutputStream sink = OutputStream.nullOutputStream()) {
                            writer.write(photo, instance(), sink);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return (long) photo.pixelDataLength();
                    });
        }
    }

    /**
     * The turn without decoding: a 48-megapixel photo of whole MCUs with orientation 6, its blocks
     * moved and coded again, wrapped.
     */
    @Benchmark
    public long turnAndWrap48mpOrientation6() throws IOException {
        return cleanAndWrapToNull(turned48, turned48Sha);
    }

    /**
     * The full transcode path: a 48-megapixel photo with orientation 6 whose bottom edge is half an
     * MCU, decoded, rotated, re-encoded, wrapped.
     */
    @Benchmark
    public long transcodeAndWrap48mpOrientation6() throws IOException {
        return cleanAndWrapToNull(rotated48, rotated48Sha);
    }

    /** Cleans a photo file and writes its DICOM object to a null stream. */
    private long cleanAndWrapToNull(Path photoFile, String sha) throws IOException {
        CleanedPhoto photo = cleaner.clean(photoFile, PhotoLimits.DEFAULT, sha);
        try (OutputStream sink = OutputStream.nullOutputStream()) {
            writer.write(photo, instance(), sink);
        }
        return photo.pixelDataLength();
    }

    /** A body as the capture page writes it: the file part first, then the metadata. */
    private static byte[] multipart(byte[] file) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n{\"bench\": true}\r\n--" + BOUNDARY + "--\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static PhotoInstance instance() {
        var mrn = new PhotoInstance.Identifier("urn:oid:2.16.840.1.113883.3.9999.1", "BENCH-1");
        return new PhotoInstance(
                new PhotoInstance.Patient(mrn, Optional.of("Bench^Patient"), Optional.of("1970-01-01"), Optional.of("O")),
                new PhotoInstance.Identifier("urn:oid:2.16.840.1.113883.3.9999.2", "ENC-1"),
                "dermatology", List.of("dermatology"),
                new PhotoInstance.Code("http://snomed.info/sct", "368209003", "Right upper arm"), "R",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(),
                new PhotoInstance.Uids("2.25.1001", "2.25.1002", "2.25.1003"), 1, 1, Instant.EPOCH);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
