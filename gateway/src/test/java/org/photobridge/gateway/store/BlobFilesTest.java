package org.photobridge.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's file writes, direct and through the page cache, on the file systems this machine has:
 * the temp directory's (ext4 here and on CI) and tmpfs ({@code /dev/shm}).
 */
class BlobFilesTest {
    @TempDir
    Path dir;

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static void writeAndCheck(BlobFiles files, Path directory, int size, boolean byteByByte) throws IOException {
        byte[] plain = random(size);
        Path file = directory.resolve("blob-" + size + (byteByByte ? "-bytes" : ""));
        try (var out = files.create(file)) {
            if (byteByByte) {
                for (byte b : plain) {
                    out.write(b);
                }
            } else {
                // In odd pieces, so that the buffer fills mid-write.
                for (int at = 0; at < size; at += 77_777) {
                    out.write(plain, at, Math.min(77_777, size - at));
                }
            }
            out.commit();
        }
        assertEquals(size, Files.size(file), "length of a file of " + size + " bytes");
        assertArrayEquals(plain, Files.readAllBytes(file), "content of a file of " + size + " bytes");
    }

    private static int[] sizes(int block) {
        return new int[] {0, 1, block - 1, block, block + 1, BlobFiles.BUFFER - 1, BlobFiles.BUFFER,
                BlobFiles.BUFFER + 1, 3_600_017};
    }

    @Test
    void onADiskFileSystemFilesAreWrittenDirectAndReadBackExactly() throws IOException {
        String type = Files.getFileStore(dir).type();
        var files = BlobFiles.in(dir, true);
        if (type.equals("tmpfs")) {
            assertFalse(files.direct(), "tmpfs takes no direct writes");
        } else {
            assertTrue(files.direct(), "a " + type + " temp directory takes direct writes");
        }
        int block = (int) Files.getFileStore(dir).getBlockSize();
        for (int size : sizes(block)) {
            writeAndCheck(files, dir, size, false);
        }
        writeAndCheck(files, dir, block * 3 + 5, true);
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".direct-io-probe")),
                    "the probe file is deleted");
        }
    }

    @Test
    void onTmpfsFilesReadBackExactlyWhateverTheProbeFound() throws IOException {
        // Kernels before 6.6 refuse O_DIRECT on tmpfs (the probe then falls back), later ones take it.
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "blob-files-test");
        try {
            var files = BlobFiles.in(shm, true);
            for (int size : sizes(4096)) {
                writeAndCheck(files, shm, size, false);
            }
            try (var left = Files.list(shm)) {
                assertEquals(sizes(4096).length, left.count(), "the blobs, and no probe file");
            }
        } finally {
            try (var left = Files.list(shm)) {
                for (Path p : left.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(shm);
        }
    }

    @Test
    void aDirectoryTheProbeCannotWriteInFallsBackToThePageCache() {
        assertFalse(BlobFiles.in(dir.resolve("missing"), true).direct());
    }

    @Test
    void directIoOffWritesThroughThePageCache() throws IOException {
        var files = BlobFiles.in(dir, false);
        assertFalse(files.direct());
        for (int size : sizes(4096)) {
            writeAndCheck(files, dir, size, false);
        }
    }

    @Test
    void aFileThatExistsIsNotOverwritten() throws IOException {
        var files = BlobFiles.in(dir, true);
        Path file = dir.resolve("taken");
        Files.write(file, new byte[] {1, 2, 3});
        org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> files.create(file));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    }
}
