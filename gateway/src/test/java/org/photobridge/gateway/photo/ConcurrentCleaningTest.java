package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentCleaningTest {

    @TempDir
    Path dir;

    @Test
    void oneCleanerServesManyThreadsWithinItsDecodeBudget() throws Exception {
        Path rotated = TestImages.write(dir, "rotated.jpg", TestImages.jpegWithAllMetadata(
                TestImages.storedFor(TestImages.scene(), 6), 6));
        Path png = TestImages.write(dir, "photo.png", TestImages.imageIoPng(TestImages.scene(), false));
        // Budget for about two concurrent cleanings: the others must wait, not fail.
        long one = PhotoCleaner.OVERHEAD_BYTES + PhotoCleaner.UPLOAD_COPIES * Math.max(Files.size(rotated), Files.size(png))
                + 16L * TestImages.W * TestImages.H;
        var budget = MemoryBudget.of(2 * one);
        var cleaner = new PhotoCleaner(0.92f, budget);
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<CleanedPhoto>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                Path file = i % 2 == 0 ? rotated : png;
                results.add(pool.submit(() -> cleaner.clean(file, PhotoLimits.DEFAULT)));
            }
            for (Future<CleanedPhoto> result : results) {
                CleanedPhoto photo = result.get();
                assertEquals(TestImages.W, photo.columns());
                assertEquals(TestImages.H, photo.rows());
            }
            assertEquals(budget.totalBytes(), budget.availableBytes(), "every reservation was given back");
        } finally {
            pool.shutdownNow();
        }
    }
}
