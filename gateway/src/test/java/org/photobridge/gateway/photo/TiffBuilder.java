package org.photobridge.gateway.photo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small TIFF/EXIF structures for tests, in either byte order. */
final class TiffBuilder {

    static final int ASCII = 2;
    static final int SHORT = 3;
    static final int LONG = 4;
    static final int RATIONAL = 5;

    /** One IFD; entries are written in the order added. */
    final class Ifd {
        private final List<Entry> entries = new ArrayList<>();
        private byte[] blob;
        private Ifd next;
        private int offset;

        Ifd ascii(int tag, String value) {
            byte[] text = (value + "\0").getBytes(StandardCharsets.US_ASCII);
            entries.add(new Entry(tag, ASCII, text.length, text, null, false));
            return this;
        }

        Ifd shortValue(int tag, int value) {
            entries.add(new Entry(tag, SHORT, 1, u16(value), null, false));
            return this;
        }

        Ifd longValue(int tag, long value) {
            entries.add(new Entry(tag, LONG, 1, u32(value), null, false));
            return this;
        }

        Ifd rationals(int tag, long... numeratorsAndDenominators) {
            var out = new ByteArrayOutputStream();
            for (long v : numeratorsAndDenominators) {
                out.writeBytes(u32(v));
            }
            entries.add(new Entry(tag, RATIONAL, numeratorsAndDenominators.length / 2, out.toByteArray(), null, false));
            return this;
        }

        /** A LONG entry whose value is the offset of another IFD. */
        Ifd pointer(int tag, Ifd target) {
            entries.add(new Entry(tag, LONG, 1, null, target, false));
            return this;
        }

        /** Entries JPEGInterchangeFormat/Length pointing at a blob stored after this IFD. */
        Ifd thumbnail(byte[] jpeg) {
            this.blob = jpeg;
            entries.add(new Entry(0x0201, LONG, 1, null, null, true));
            entries.add(new Entry(0x0202, LONG, 1, u32(jpeg.length), null, false));
            return this;
        }

        Ifd next(Ifd following) {
            this.next = following;
            return this;
        }
    }

    private record Entry(int tag, int type, int count, byte[] value, Ifd pointsTo, boolean pointsToBlob) {
    }

    private final boolean bigEndian;
    private final List<Ifd> ifds = new ArrayList<>();

    TiffBuilder(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    /** A new IFD; the first one created is IFD0. */
    Ifd ifd() {
        var ifd = new Ifd();
        ifds.add(ifd);
        return ifd;
    }

    byte[] build() {
        int offset = 8;
        for (Ifd ifd : ifds) {
            ifd.offset = offset;
            offset += 2 + 12 * ifd.entries.size() + 4;
            for (Entry e : ifd.entries) {
                if (e.value != null && e.value.length > 4) {
                    offset += e.value.length + (e.value.length & 1);
                }
            }
            if (ifd.blob != null) {
                offset += ifd.blob.length;
            }
        }
        var out = new ByteArrayOutputStream();
        out.writeBytes(bigEndian ? new byte[] {'M', 'M'} : new byte[] {'I', 'I'});
        out.writeBytes(u16(42));
        out.writeBytes(u32(ifds.get(0).offset));
        for (Ifd ifd : ifds) {
            int dataOffset = ifd.offset + 2 + 12 * ifd.entries.size() + 4;
            var data = new ByteArrayOutputStream();
            out.writeBytes(u16(ifd.entries.size()));
            for (Entry e : ifd.entries) {
                out.writeBytes(u16(e.tag));
                out.writeBytes(u16(e.type));
                out.writeBytes(u32(e.count));
                if (e.pointsTo != null) {
                    out.writeBytes(u32(e.pointsTo.offset));
                } else if (e.pointsToBlob) {
                    out.writeBytes(u32(0)); // patched below once the blob's place is known
                } else if (e.value.length <= 4) {
                    byte[] inline = new byte[4];
                    System.arraycopy(e.value, 0, inline, 0, e.value.length);
                    out.writeBytes(inline);
                } else {
                    out.writeBytes(u32(dataOffset + data.size()));
                    data.writeBytes(e.value);
                    if ((e.value.length & 1) == 1) {
                        data.write(0);
                    }
                }
            }
            out.writeBytes(u32(ifd.next == null ? 0 : ifd.next.offset));
            int blobOffset = dataOffset + data.size();
            out.writeBytes(data.toByteArray());
            if (ifd.blob != null) {
                out.writeBytes(ifd.blob);
            }
            if (ifd.blob != null) {
                patchBlobPointer(out, ifd, blobOffset);
            }
        }
        return out.toByteArray();
    }

    private void patchBlobPointer(ByteArrayOutputStream out, Ifd ifd, int blobOffset) {
        byte[] bytes = out.toByteArray();
        for (int i = 0; i < ifd.entries.size(); i++) {
            if (ifd.entries.get(i).pointsToBlob) {
                System.arraycopy(u32(blobOffset), 0, bytes, ifd.offset + 2 + 12 * i + 8, 4);
            }
        }
        out.reset();
        out.writeBytes(bytes);
    }

    byte[] u16(int v) {
        return bigEndian ? new byte[] {(byte) (v >> 8), (byte) v} : new byte[] {(byte) v, (byte) (v >> 8)};
    }

    byte[] u32(long v) {
        return bigEndian
                ? new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v}
                : new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
