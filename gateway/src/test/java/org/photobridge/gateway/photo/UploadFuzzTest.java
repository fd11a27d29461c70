package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes what {@code POST /api/v1/photos} runs on the file before anything is stored: the whole of
 * {@link PhotoCleaner#clean(Path, PhotoLimits)} (sniffing by bytes, header limits, memory estimate,
 * cleaning) on bytes the fuzzer makes. Each input is either a clean photo ({@link CleaningContract})
 * or a {@link PhotoRejectedException}; any other exception, an out-of-memory error or a hang is a finding.
 * Seeds: {@code UploadFuzzTestInputs/cleanUpload}; see docs/security.md, "Fuzzing".
 */
class UploadFuzzTest {

    private static final PhotoCleaner CLEANER =
            new PhotoCleaner(PhotoCleaner.DEFAULT_JPEG_QUALITY, MemoryBudget.of(CleaningContract.BUDGET_BYTES));
    private static Path dir;
    private static Path upload;

    @BeforeAll
    static void workFile() throws IOException {
        dir = Files.createTempDirectory(Path.of("target"), "upload-fuzz");
        upload = dir.resolve("upload.bin");
    }

    @AfterAll
    static void removeWorkFile() throws IOException {
        Files.deleteIfExists(upload);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "10s")
    void cleanUpload(byte[] bytes) throws IOException {
        Files.write(upload, bytes);
        CleaningContract.Accepted accepted;
        try {
            accepted = CLEANER.clean(upload, CleaningContract.LIMITS, null,
                    cleaned -> CleaningContract.accept(() -> cleaned));
        } catch (PhotoRejectedException rejected) {
            assertNotNull(rejected.reason(), "a rejection says why");
            assertFalse(rejected.getMessage() == null || rejected.getMessage().isBlank(), "a rejection explains itself");
            return;
        }
        CleaningContract.check(accepted, accepted.cleaned().source().format());
    }
}
