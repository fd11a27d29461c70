package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        // Budget for about two concurrent 64 x 48 decodes: the others must wait, not fail.
        var cleaner = new PhotoCleaner(0.92f, 2L * TestImages.W * TestImages.H * DecodeBudget.BYTES_PER_PIXEL + 1024);
        Path rotated = TestImages.write(dir, "rotated.jpg", TestImages.jpegWithAllMetadata(
                TestImages.storedFor(TestImages.scene(), 6), 6));
        Path png = TestImages.write(dir, "photo.png", TestImages.imageIoPng(TestImages.scene(), false));
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
        } finally {
            pool.shutdownNow();
        }
    }
}
