package org.photobridge.gateway.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;

import org.jboss.logging.Logger;

import com.sun.nio.file.ExtendedOpenOption;

/**
 * How the store writes a new file: with direct I/O ({@code O_DIRECT}) where the file system takes it,
 * otherwise through the page cache. A photo's ciphertext is written once and forced to disk at once;
 * through the page cache the kernel first copies every byte into freshly allocated cache pages, which
 * on the benchmark machine cost 4.3 ms of CPU per 3.6 MB photo (an eighth of the request thread's CPU
 * per accepted photo; docs/performance.md), while the device takes the same bytes straight from an
 * aligned buffer for a tenth of that. Readers (delivery, viewer) read the file as before, through the
 * cache.
 *
 * <p>Direct writes must start at, and be a multiple of, the file system's block size, from memory
 * aligned to it: the bytes gather in an aligned buffer of {@value #BUFFER} bytes (a few kept for
 * reuse), the last partial block is written padded with zeros and the file then truncated to its
 * length, before it is forced. Whether the directory's file system takes direct writes (tmpfs before
 * Linux 6.6 does not) is tried once, with a probe file, when the store opens.
 */
final class BlobFiles {
    private static final Logger LOG = Logger.getLogger(BlobFiles.class);
    /** Bytes gathered before one direct write. */
    static final int BUFFER = 1 << 20;
    /** Buffers kept for the next writer (one per concurrent writer is enough; more are let go). */
    private static final int KEPT = 8;

    private final boolean direct;
    private final int block;
    private final ArrayBlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(KEPT);

    private BlobFiles(boolean direct, int block) {
        this.direct = direct;
        this.block = block;
    }

    /** For new files in {@code directory}: direct when {@code tryDirect} and a probe write there succeeds. */
    static BlobFiles in(Path directory, boolean tryDirect) {
        if (!tryDirect) {
            return new BlobFiles(false, 0);
        }
        Path probe = directory.resolve(".direct-io-probe-" + UUID.randomUUID() + ".incoming");
        try {
            int block = (int) Math.max(512, Math.min(1 << 16, Files.getFileStore(directory).getBlockSize()));
            var files = new BlobFiles(true, block);
            try (var out = files.create(probe)) {
                out.write(new byte[block + 1]);
                out.commit();
            }
            if (Files.size(probe) != block + 1) {
                throw new IOException("the probe file has " + Files.size(probe) + " bytes, not " + (block + 1));
            }
            return files;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.infof("the photo store's file system does not take direct writes (%s); writing through the page cache",
                    e.getMessage());
            return new BlobFiles(false, 0);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                LOG.debugf("could not delete the direct-I/O probe file: %s", e.getMessage());
            }
        }
    }

    /** Whether new files are written with direct I/O. */
    boolean direct() {
        return direct;
    }

    /** A new file at {@code path} (which must not exist); {@link Output#commit} makes it durable. */
    Output create(Path path) throws IOException {
        FileChannel channel = direct
                ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        ExtendedOpenOption.DIRECT)
                : FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return direct ? new DirectOutput(channel) : new CachedOutput(channel);
    }

    /** A file being written: {@link #commit} writes what is left and forces it to disk; close lets go of it. */
    abstract static class Output extends OutputStream {
        final FileChannel channel;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        /** Writes the rest and forces the file's content and length to disk. */
        abstract void commit() throws IOException;
    }

    private static final class CachedOutput extends Output {
        private final BufferedOutputStream out;

        CachedOutput(FileChannel channel) {
            super(channel);
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        void commit() throws IOException {
            out.flush();
            channel.force(true);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private final class DirectOutput extends Output {
        private ByteBuffer buffer;
        private long length;

        DirectOutput(FileChannel channel) {
            super(channel);
            ByteBuffer kept = buffers.poll();
            buffer = kept != null ? kept : ByteBuffer.allocateDirect(BUFFER + block).alignedSlice(block);
            buffer.clear();
        }

        @Override
        public void write(int b) throws IOException {
            if (!buffer.hasRemaining()) {
                drain();
            }
            buffer.put((byte) b);
            length++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                if (!buffer.hasRemaining()) {
                    drain();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.put(b, off, n);
                off += n;
                len -= n;
                length += n;
            }
        }

        /** Writes the whole buffer (a multiple of the block size: full, or padded by {@link #commit}). */
        private void drain() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        void commit() throws IOException {
            int tail = buffer.position() % block;
            if (tail != 0) {
                for (int i = tail; i < block; i++) {
                    buffer.put((byte) 0);
                }
            }
            drain();
            if (tail != 0) {
                channel.truncate(length);
            }
            channel.force(true);
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                if (buffer != null) {
                    buffers.offer(buffer);
                    buffer = null;
                }
            }
        }
    }
}
