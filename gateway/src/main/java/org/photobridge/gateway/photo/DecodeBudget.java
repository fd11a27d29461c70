package org.photobridge.gateway.photo;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the heap that concurrent decodes may hold at once, so a burst of large uploads waits its
 * turn instead of exhausting memory. Thread-safe.
 */
final class DecodeBudget {

    /**
     * Generous estimate of bytes held per pixel while transcoding: the decoder's image (up to 4 bands,
     * 16-bit for PNG), our 8-bit copy, the re-oriented copy and the encoder's output.
     */
    static final int BYTES_PER_PIXEL = 16;

    private static final int KIB = 1024;

    private final Semaphore permitsInKib;
    private final long totalBytes;

    DecodeBudget(long totalBytes) {
        if (totalBytes < KIB) {
            throw new IllegalArgumentException("decode budget must be at least 1 KiB");
        }
        long kib = Math.min(totalBytes / KIB, Integer.MAX_VALUE);
        this.totalBytes = kib * KIB;
        this.permitsInKib = new Semaphore((int) kib, true);
    }

    /** Half of the JVM's maximum heap. */
    static DecodeBudget halfOfHeap() {
        return new DecodeBudget(Runtime.getRuntime().maxMemory() / 2);
    }

    /** A reservation that must be closed when the pixels are no longer referenced. */
    interface Reservation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reserves memory for decoding an image of the given size, waiting while other decodes hold it.
     *
     * @throws PhotoRejectedException TOO_MANY_PIXELS when the image could never fit the budget
     */
    Reservation reserve(long width, long height) {
        long bytes = width * height * BYTES_PER_PIXEL;
        if (bytes > totalBytes) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_MANY_PIXELS,
                    "image is " + width + " x " + height + " = " + (width * height)
                            + " pixels; decoding it needs about " + (bytes >> 20)
                            + " MiB but this gateway allows " + (totalBytes >> 20) + " MiB for decoding");
        }
        int permits = (int) Math.max(1, (bytes + KIB - 1) / KIB);
        try {
            permitsInKib.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for decode memory", e);
        }
        var released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                permitsInKib.release(permits);
            }
        };
    }
}
