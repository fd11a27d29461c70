package org.photobridge.gateway.photo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes an 8-bit baseline JPEG upright without decoding it to pixels: its DCT blocks are moved, and
 * their coefficients transposed and negated, the way the EXIF orientation asks, and the blocks are
 * Huffman-coded again with tables made for them. The quantised coefficients, and so the camera's
 * pixels, are kept exactly: no second lossy step, where decoding and encoding again would add one,
 * and a fraction of its CPU.
 *
 * <p>A block can only move whole, and a part MCU at an edge that moved to the top or left could not be
 * coded, so this applies where every edge that moves to the top or left is whole MCUs ({@link #fits}):
 * the width where the orientation mirrors it, the height where it flips it. Blocks past the right and
 * bottom edges (an MCU's padding) move with the others and stay past the new right and bottom edges;
 * where a scan of one component did not code them, they are coded as zeros. The rest is transcoded
 * as before.
 * The stream must have passed {@link JpegScanCheck} first: this reads only what it has proved decodes.
 *
 * <p>The transforms, per source block (x, y) of a component bw × bh blocks, and per coefficient at
 * horizontal frequency u and vertical frequency v (a mirror negates the odd frequencies across it):
 * 2 mirror: (bw-1-x, y), −1 for odd u; 3 half turn: both mirrors; 4 flip: (x, bh-1-y), −1 for odd v;
 * 5 transpose: (y, x), (u, v) becomes (v, u); 6 quarter turn clockwise: (bh-1-y, x), transposed, then
 * −1 for odd u of the result; 7 transverse: (bh-1-y, bw-1-x), transposed, both; 8 quarter turn
 * anticlockwise: (y, bw-1-x), transposed, then −1 for odd v of the result.
 */
final class JpegBlockTurn {

    /** The natural (row-major) index of each coefficient in zigzag order (ITU-T T.81 figure A.6). */
    private static final int[] NATURAL = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    };

    /** The largest DC difference a baseline stream can code (category 11). */
    private static final int MAX_DC_DIFFERENCE = 2047;

    private static final VarHandle BIG_ENDIAN_INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private JpegBlockTurn() {
    }

    /**
     * True when the orientation can be applied to this frame by moving blocks: an 8-bit baseline
     * frame of one or three components whose edges that move to the top or left are whole MCUs.
     */
    static boolean fits(JpegFrame frame, Orientation orientation) {
        if (!frame.isBaseline() || orientation == Orientation.NORMAL) {
            return false;
        }
        int components = frame.components().size();
        if (components != 1 && components != 3) {
            return false;
        }
        int mcuWidth = 8 * (components == 1 ? 1 : maxH(frame));
        int mcuHeight = 8 * (components == 1 ? 1 : maxV(frame));
        // The right edge moves to the top or left where x is mirrored, the bottom edge where y is.
        boolean mirrorsX = switch (orientation) {
            case MIRROR_HORIZONTAL, ROTATE_180, TRANSVERSE, ROTATE_270_CW -> true;
            default -> false;
        };
        boolean mirrorsY = switch (orientation) {
            case ROTATE_180, MIRROR_VERTICAL, ROTATE_90_CW, TRANSVERSE -> true;
            default -> false;
        };
        return (!mirrorsX || frame.width() % mcuWidth == 0) && (!mirrorsY || frame.height() % mcuHeight == 0);
    }

    /** The frame header of the upright stream: sizes and sampling factors exchanged for 5..8. */
    static JpegFrame turnedFrame(JpegFrame frame, Orientation orientation) {
        if (!orientation.swapsDimensions()) {
            return frame;
        }
        var turned = frame.components().stream()
                .map(c -> new JpegFrame.Component(c.id(), c.verticalSampling(), c.horizontalSampling(), c.quantTable()))
                .toList();
        return new JpegFrame(frame.sofMarker(), frame.precision(), frame.height(), frame.width(), turned);
    }

    /**
     * Heap the turn holds besides the upload: every block's coefficients (128 bytes a block) and the
     * new stream as it grows (about the upload's size; twice while it doubles).
     */
    static long memoryNeeded(JpegFrame frame, int uploadLength) {
        long blocks = 0;
        int components = frame.components().size();
        for (JpegFrame.Component c : frame.components()) {
            int h = components == 1 ? 1 : c.horizontalSampling();
            int v = components == 1 ? 1 : c.verticalSampling();
            int mh = components == 1 ? 1 : maxH(frame);
            int mv = components == 1 ? 1 : maxV(frame);
            blocks += JpegScanCheck.ceilDiv(frame.width(), 8 * mh) * h * JpegScanCheck.ceilDiv(frame.height(), 8 * mv) * v;
        }
        return blocks * 128 + 3L * uploadLength + (64 << 10);
    }

    /**
     * The upright stream: SOI, the given leading segments (JFIF, Adobe), quantisation tables, the
     * frame header, Huffman tables, one scan, EOI. Empty where the stream's values cannot be coded
     * faithfully in one scan (only crafted streams have these): a DC value, legal where it stands,
     * that would need a difference over 11 bits in the new block order, or two components that
     * name the same quantisation table while it was defined anew between their scans. The caller
     * then transcodes.
     */
    static Optional<Turned> apply(JpegSegments stream, JpegFrame frame, Orientation orientation, List<byte[]> leading) {
        if (!fits(frame, orientation)) {
            throw new IllegalArgumentException("the orientation cannot be applied to this frame by moving blocks");
        }
        var source = new Coefficients(stream, frame, orientation);
        source.decodeAll();
        return new Writer(source, turnedFrame(frame, orientation)).write(turnedLeading(leading, orientation));
    }

    /** The upright stream: the first {@code length} bytes of {@code bytes} (the buffer it grew in, not copied again). */
    record Turned(byte[] bytes, int length) {
    }

    /**
     * The leading segments with a JFIF header's pixel densities exchanged where width and height are
     * (a pixel's aspect ratio turns with the image).
     */
    static List<byte[]> turnedLeading(List<byte[]> leading, Orientation orientation) {
        if (!orientation.swapsDimensions()) {
            return leading;
        }
        return leading.stream().map(segment -> {
            // FF E0, length, "JFIF\0", version (2), units, X density (2), Y density (2), thumbnail size (2)
            boolean jfif = segment.length >= 18 && (segment[1] & 0xFF) == 0xE0 && segment[4] == 'J'
                    && segment[5] == 'F' && segment[6] == 'I' && segment[7] == 'F' && segment[8] == 0;
            if (!jfif) {
                return segment;
            }
            byte[] turned = segment.clone();
            System.arraycopy(segment, 12, turned, 14, 2);
            System.arraycopy(segment, 14, turned, 12, 2);
            return turned;
        }).toList();
    }

    /**
     * Walks the AC symbols a block (zigzag order, its values other than zero marked in {@code mask})
     * is coded with, in order (run << 4 | size; 0xF0 sixteen zeros, 0x00 the end of block): counts
     * each in {@code counts} where {@code writer} is null, else codes it with {@code ac}. One walk
     * for both, so that every symbol coded was counted and has a code.
     */
    private static void walkAcSymbols(short[] blocks, int base, long mask, long[] counts, Writer writer, Encoding ac) {
        long left = mask & ~1L;
        int previous = 0;
        while (left != 0) {
            int k = Long.numberOfTrailingZeros(left);
            left &= left - 1;
            int run = k - previous - 1;
            previous = k;
            while (run > 15) {
                emit(counts, writer, ac, 0xF0, 0);
                run -= 16;
            }
            int value = blocks[base + k];
            emit(counts, writer, ac, (run << 4) | category(value), value);
        }
        if (previous < 63) {
            emit(counts, writer, ac, 0x00, 0);
        }
    }

    private static void emit(long[] counts, Writer writer, Encoding ac, int symbol, int value) {
        if (writer == null) {
            counts[symbol]++;
        } else {
            writer.putSymbol(ac, symbol, value);
        }
    }

    /** The size category of a coefficient or difference: the bits of its magnitude. */
    private static int category(int value) {
        return 32 - Integer.numberOfLeadingZeros(Math.abs(value));
    }

    /** The zigzag position of a natural (row-major) index. */
    private static int zigzagIndex(int natural) {
        for (int k = 0; k < 64; k++) {
            if (NATURAL[k] == natural) {
                return k;
            }
        }
        throw new IllegalArgumentException("no coefficient " + natural);
    }

    private static int maxH(JpegFrame frame) {
        return frame.components().stream().mapToInt(JpegFrame.Component::horizontalSampling).max().orElse(1);
    }

    private static int maxV(JpegFrame frame) {
        return frame.components().stream().mapToInt(JpegFrame.Component::verticalSampling).max().orElse(1);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Every component's quantised coefficients, decoded from the scans and stored straight at their
     * upright place: per component an array of the upright block grid, 64 values a block in zigzag
     * order (the order they are coded in), and per block the last zigzag position that holds a value.
     */
    private static final class Coefficients {
        final byte[] data;
        final JpegFrame frame;
        final Orientation orientation;
        final JpegSegments stream;
        /** Per component: blocks across and down in the source. */
        final int[] blocksWide;
        final int[] blocksHigh;
        final short[][] blocks;
        /**
         * Per upright block: a bit for every zigzag position that holds a value other than zero (the
         * coder walks these bits, not the 63 positions: whether a coefficient is zero is a branch no
         * predictor guesses in a photo's blocks).
         */
        final long[][] nonZero;
        /** Per source zigzag position: the upright block's zigzag position of the coefficient. */
        final int[] target = new int[64];
        /** Per source zigzag position: -1 where the coefficient is negated, 0 where not. */
        final int[] negate = new int[64];
        /** AC symbol counts of the upright blocks per table of the new scan (luma 0, chroma 1). */
        final long[][] acSymbols = new long[2][257];
        /** The Huffman tables as defined so far, read as the scan check reads them. */
        final JpegScanCheck.HuffmanTable[] dcTables = new JpegScanCheck.HuffmanTable[4];
        final JpegScanCheck.HuffmanTable[] acTables = new JpegScanCheck.HuffmanTable[4];
        /** The decoding table of each table a scan used (chroma components share theirs). */
        private final Map<JpegScanCheck.HuffmanTable, Huffman> decoding = new IdentityHashMap<>();
        /** Quantisation tables as read: zigzag order, 8- or 16-bit. */
        final int[][] quant = new int[4][];
        final boolean[] quantWide = new boolean[4];
        /** Per component: the quantisation table as defined when its scan came, and whether 16-bit. */
        final int[][] componentQuant;
        final boolean[] componentQuantWide;
        int restartInterval;

        Coefficients(JpegSegments stream, JpegFrame frame, Orientation orientation) {
            this.stream = stream;
            this.data = stream.bytes();
            this.frame = frame;
            this.orientation = orientation;
            int n = frame.components().size();
            blocksWide = new int[n];
            blocksHigh = new int[n];
            blocks = new short[n][];
            nonZero = new long[n][];
            componentQuant = new int[n][];
            componentQuantWide = new boolean[n];
            for (int c = 0; c < n; c++) {
                JpegFrame.Component component = frame.components().get(c);
                int h = n == 1 ? 1 : component.horizontalSampling();
                int v = n == 1 ? 1 : component.verticalSampling();
                int mh = n == 1 ? 1 : maxH(frame);
                int mv = n == 1 ? 1 : maxV(frame);
                // The grid an interleaved scan codes: whole MCUs, padding blocks included.
                blocksWide[c] = (int) JpegScanCheck.ceilDiv(frame.width(), 8 * mh) * h;
                blocksHigh[c] = (int) JpegScanCheck.ceilDiv(frame.height(), 8 * mv) * v;
                blocks[c] = new short[Math.multiplyExact(blocksWide[c] * blocksHigh[c], 64)];
                nonZero[c] = new long[blocksWide[c] * blocksHigh[c]];
            }
            boolean transpose = orientation.swapsDimensions();
            for (int k = 0; k < 64; k++) {
                int n0 = NATURAL[k];
                int u = n0 & 7;
                int v = n0 >> 3;
                int tu = transpose ? v : u;
                int tv = transpose ? u : v;
                target[k] = zigzagIndex(tv * 8 + tu);
                boolean oddAcross = switch (orientation) {
                    case MIRROR_HORIZONTAL, ROTATE_90_CW -> (tu & 1) == 1;
                    case MIRROR_VERTICAL, ROTATE_270_CW -> (tv & 1) == 1;
                    case ROTATE_180, TRANSVERSE -> ((tu + tv) & 1) == 1;
                    default -> false;
                };
                negate[k] = oddAcross ? -1 : 0;
            }
        }

        /** Upright block index of source block (x, y) of component c. */
        int uprightBlock(int c, int x, int y) {
            int bw = blocksWide[c];
            int bh = blocksHigh[c];
            return switch (orientation) {
                case MIRROR_HORIZONTAL -> y * bw + (bw - 1 - x);
                case ROTATE_180 -> (bh - 1 - y) * bw + (bw - 1 - x);
                case MIRROR_VERTICAL -> (bh - 1 - y) * bw + x;
                case TRANSPOSE -> x * bh + y;
                case ROTATE_90_CW -> x * bh + (bh - 1 - y);
                case TRANSVERSE -> (bw - 1 - x) * bh + (bh - 1 - y);
                case ROTATE_270_CW -> (bw - 1 - x) * bh + y;
                case NORMAL -> y * bw + x;
            };
        }

        void decodeAll() {
            var parts = stream.parts();
            for (int i = 0; i < parts.size(); i++) {
                if (!(parts.get(i) instanceof JpegSegments.Segment segment)) {
                    continue;
                }
                switch (segment.marker()) {
                    case JpegSegments.DHT -> JpegScanCheck.readHuffmanTables(data, segment, dcTables, acTables);
                    case JpegSegments.DQT -> readQuant(segment);
                    case JpegSegments.DRI -> restartInterval = u16(segment.payloadOffset());
                    case JpegSegments.SOS -> {
                        decodeScan(segment, (JpegSegments.EntropyData) parts.get(i + 1));
                        i++;
                    }
                    default -> {
                    }
                }
            }
        }

        private int u16(int p) {
            return ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
        }

        private void readQuant(JpegSegments.Segment segment) {
            int p = segment.payloadOffset();
            int limit = p + segment.payloadLength();
            while (p < limit) {
                boolean wide = (data[p] & 0xF0) != 0;
                int number = data[p] & 0x0F;
                int[] values = new int[64];
                for (int k = 0; k < 64; k++) {
                    values[k] = wide ? u16(p + 1 + 2 * k) : data[p + 1 + k] & 0xFF;
                }
                quant[number] = values;
                quantWide[number] = wide;
                p += 1 + 64 * (wide ? 2 : 1);
            }
        }

        private void decodeScan(JpegSegments.Segment sos, JpegSegments.EntropyData scanData) {
            int p = sos.payloadOffset();
            int count = data[p] & 0xFF;
            int[] comp = new int[count];
            Huffman[] dc = new Huffman[count];
            Huffman[] ac = new Huffman[count];
            for (int i = 0; i < count; i++) {
                int id = data[p + 1 + 2 * i] & 0xFF;
                int tables = data[p + 2 + 2 * i] & 0xFF;
                comp[i] = indexOf(id);
                int table = frame.components().get(comp[i]).quantTable();
                componentQuant[comp[i]] = quant[table];
                componentQuantWide[comp[i]] = quantWide[table];
                dc[i] = decoding.computeIfAbsent(dcTables[tables >> 4], Huffman::new);
                ac[i] = decoding.computeIfAbsent(acTables[tables & 0x0F], Huffman::new);
            }
            var reader = new BitReader(data, scanData.offset(), scanData.offset() + scanData.length());
            int[] predictor = new int[count];
            int n = frame.components().size();
            long mcusWide;
            long mcusHigh;
            if (count == 1) {
                // One component alone: its own blocks only, no MCU padding (T.81 A.2.2); the padding
                // blocks of the grid stay zeros.
                JpegFrame.Component only = frame.components().get(comp[0]);
                int h = n == 1 ? 1 : only.horizontalSampling();
                int v = n == 1 ? 1 : only.verticalSampling();
                mcusWide = JpegScanCheck.ceilDiv(JpegScanCheck.ceilDiv((long) frame.width() * h, n == 1 ? 1 : maxH(frame)), 8);
                mcusHigh = JpegScanCheck.ceilDiv(JpegScanCheck.ceilDiv((long) frame.height() * v, n == 1 ? 1 : maxV(frame)), 8);
            } else {
                mcusWide = JpegScanCheck.ceilDiv(frame.width(), 8L * maxH(frame));
                mcusHigh = JpegScanCheck.ceilDiv(frame.height(), 8L * maxV(frame));
            }
            int[] hs = new int[count];
            int[] vs = new int[count];
            for (int i = 0; i < count; i++) {
                JpegFrame.Component component = frame.components().get(comp[i]);
                hs[i] = count == 1 || n == 1 ? 1 : component.horizontalSampling();
                vs[i] = count == 1 || n == 1 ? 1 : component.verticalSampling();
            }
            long mcu = 0;
            for (long my = 0; my < mcusHigh; my++) {
                for (long mx = 0; mx < mcusWide; mx++) {
                    if (restartInterval != 0 && mcu > 0 && mcu % restartInterval == 0) {
                        reader.restart();
                        Arrays.fill(predictor, 0);
                    }
                    mcu++;
                    for (int i = 0; i < count; i++) {
                        int c = comp[i];
                        int h = hs[i];
                        int v = vs[i];
                        for (int by = 0; by < v; by++) {
                            for (int bx = 0; bx < h; bx++) {
                                int x = (int) (mx * h + bx);
                                int y = (int) (my * v + by);
                                predictor[i] = decodeBlock(reader, dc[i], ac[i], predictor[i],
                                        blocks[c], nonZero[c], uprightBlock(c, x, y), acSymbols[c == 0 ? 0 : 1]);
                            }
                        }
                    }
                }
            }
        }

        private int indexOf(int id) {
            var components = frame.components();
            for (int i = 0; i < components.size(); i++) {
                if (components.get(i).id() == id) {
                    return i;
                }
            }
            throw new IllegalStateException("a scan the scan check accepted names an unknown component");
        }

        /**
         * Decodes one block into its upright place and counts the AC symbols it will be coded with
         * there, while it is in the cache. The bit reader's state lives in locals here.
         */
        private int decodeBlock(BitReader in, Huffman dc, Huffman ac, int predictor, short[] out, long[] nonZeroOf,
                int block, long[] acSymbols) {
            int base = block * 64;
            // The DC difference, once a block, through the reader's fields; the AC values in locals.
            int dcSize = in.symbol(dc);
            int value = predictor + (dcSize == 0 ? 0 : extend(in.take(dcSize), dcSize));
            out[base] = (short) value;
            long bits = in.bits;
            int count = in.count;
            long mask = 0;
            for (int k = 1; k < 64; k++) {
                // One symbol takes at most 27 bits with its value: refill below 32.
                if (count < 32) {
                    long word;
                    int pos = in.pos;
                    if (pos <= in.end - 8 && !JpegScanCheck.hasFf(word = (long) JpegScanCheck.BIG_ENDIAN_LONGS.get(data, pos))) {
                        // As BitReader.fill, in the locals: whole bytes of the next eight, no 0xFF among them.
                        int take = (63 - count) >>> 3;
                        bits |= (word >>> (64 - 8 * take)) << (64 - count - 8 * take);
                        in.pos = pos + take;
                        count += 8 * take;
                    } else {
                        in.bits = bits;
                        in.count = count;
                        in.fill();
                        bits = in.bits;
                        count = in.count;
                    }
                }
                int fast = ac.coefficients[(int) (bits >>> (64 - Huffman.LOOKUP))];
                if (fast != 0) {
                    // The common case: a coefficient whose code and value bits fit the lookup.
                    int length = fast & 0x1F;
                    bits <<= length;
                    count -= length;
                    k += (fast >> 5) & 0x0F;
                    int at = target[k];
                    int negative = negate[k];
                    int coefficient = fast >> 16;
                    out[base + at] = (short) ((coefficient ^ negative) - negative);
                    mask |= 1L << at;
                    continue;
                }
                int symbol;
                int entry = ac.lookup[(int) (bits >>> (64 - Huffman.LOOKUP))];
                if (entry != 0) {
                    int length = entry >> 8;
                    bits <<= length;
                    count -= length;
                    symbol = entry & 0xFF;
                } else {
                    in.bits = bits;
                    in.count = count;
                    symbol = in.decodeLong(ac);
                    bits = in.bits;
                    count = in.count;
                }
                int size = symbol & 0x0F;
                if (size == 0) {
                    if (symbol != 0xF0) {
                        break;
                    }
                    k += 15;
                    continue;
                }
                k += symbol >> 4;
                int coefficient = extend((int) (bits >>> (64 - size)), size);
                bits <<= size;
                count -= size;
                int at = target[k];
                int negative = negate[k];
                out[base + at] = (short) ((coefficient ^ negative) - negative);
                mask |= 1L << at;
            }
            in.bits = bits;
            in.count = count;
            nonZeroOf[block] = mask;
            walkAcSymbols(out, base, mask, acSymbols, null, null);
            return value;
        }

        /**
         * The value of {@code size} value bits (T.81 F.2.2.1): as they are where the first is one,
         * less 2^size - 1 where it is zero. Without a branch: the sign of a photo's coefficients is
         * a coin toss to a branch predictor.
         */
        private static int extend(int bits, int size) {
            int positive = ((bits >>> (size - 1)) & 1) - 1; // 0 where the first bit is one, else -1
            return bits + (positive & (1 - (1 << size)));
        }
    }

    /**
     * A decoding table over a table the scan check read (its codes by length): codes of up to 11
     * bits looked up at once, with their symbol (the scan check's lookahead skips values, so it
     * cannot serve), longer ones by length.
     */
    private static final class Huffman {
        static final int LOOKUP = 11;
        final int[] maxCode;
        final int[] valueOffset;
        final byte[] symbols;
        /** Per 11-bit prefix: code length << 8 | symbol, or 0 for a longer code. */
        final int[] lookup = new int[1 << LOOKUP];
        /**
         * Per 11-bit prefix that holds an AC coefficient's code and all its value bits: the
         * coefficient << 16 | its run of zeros << 5 | the bits taken; 0 for anything else (a longer
         * code or value, the end of block, sixteen zeros), which then goes through {@link #lookup}.
         * Filled for AC tables only, the only ones read through it.
         */
        final int[] coefficients = new int[1 << LOOKUP];

        Huffman(JpegScanCheck.HuffmanTable table) {
            this.maxCode = table.maxCode;
            this.valueOffset = table.valueOffset;
            this.symbols = table.symbols;
            int code = 0;
            int index = 0;
            for (int length = 1; length <= LOOKUP; length++) {
                for (int i = 0; i < table.counts[length]; i++) {
                    int first = code << (LOOKUP - length);
                    int symbol = symbols[index] & 0xFF;
                    Arrays.fill(lookup, first, first + (1 << (LOOKUP - length)), length << 8 | symbol);
                    int size = symbol & 0x0F;
                    if (!table.dc && size != 0 && length + size <= LOOKUP) {
                        int taken = length + size;
                        for (int bits = 0; bits < 1 << size; bits++) {
                            int at = first | bits << (LOOKUP - taken);
                            int entry = Coefficients.extend(bits, size) << 16 | (symbol >> 4) << 5 | taken;
                            Arrays.fill(coefficients, at, at + (1 << (LOOKUP - taken)), entry);
                        }
                    }
                    code++;
                    index++;
                }
                code <<= 1;
            }
        }
    }

    /** Reads the entropy-coded bytes of a scan, unstuffing 0xFF00; past a marker it reads zeros. */
    private static final class BitReader {
        final byte[] data;
        final int end;
        int pos;
        long bits;
        int count;

        BitReader(byte[] data, int start, int end) {
            this.data = data;
            this.pos = start;
            this.end = end;
        }

        void fill() {
            long word;
            if (pos <= end - 8 && !JpegScanCheck.hasFf(word = (long) JpegScanCheck.BIG_ENDIAN_LONGS.get(data, pos))) {
                // No 0xFF in the next eight bytes: as many whole bytes as fit, at once.
                int take = (63 - count) >>> 3;
                bits |= (word >>> (64 - 8 * take)) << (64 - count - 8 * take);
                pos += take;
                count += 8 * take;
                return;
            }
            while (count <= 56) {
                int b = 0;
                if (pos < end) {
                    b = data[pos] & 0xFF;
                    if (b != 0xFF) {
                        pos++;
                    } else if (pos + 1 < end && data[pos + 1] == 0) {
                        pos += 2;
                    } else {
                        b = 0; // a marker: stay before it
                    }
                }
                bits |= (long) b << (56 - count);
                count += 8;
            }
        }

        /** The next symbol of the table, refilling first where fewer than 32 bits are left. */
        int symbol(Huffman table) {
            if (count < 32) {
                fill();
            }
            int entry = table.lookup[(int) (bits >>> (64 - Huffman.LOOKUP))];
            if (entry == 0) {
                return decodeLong(table);
            }
            bits <<= entry >> 8;
            count -= entry >> 8;
            return entry & 0xFF;
        }

        /** The next {@code size} bits (the buffer holds them: {@link #symbol} left at least 16 after the code). */
        int take(int size) {
            int value = (int) (bits >>> (64 - size));
            bits <<= size;
            count -= size;
            return value;
        }

        /** A code longer than the lookup (the buffer holds at least 32 bits). */
        int decodeLong(Huffman table) {
            for (int length = Huffman.LOOKUP + 1; length <= 16; length++) {
                int code = (int) (bits >>> (64 - length));
                if (code <= table.maxCode[length]) {
                    bits <<= length;
                    count -= length;
                    return table.symbols[code + table.valueOffset[length]] & 0xFF;
                }
            }
            throw new IllegalStateException("an invalid Huffman code in a stream the scan check accepted");
        }

        /** At the end of a restart interval: drop the padding bits and step over the RSTn marker. */
        void restart() {
            bits = 0;
            count = 0;
            while (pos < end && data[pos] == (byte) 0xFF) {
                pos++;
            }
            pos++; // the RSTn code the scan check found here
        }
    }

    // ------------------------------------------------------------------ writing

    /** Codes the upright blocks as one scan with tables made from their own statistics. */
    private static final class Writer {
        final Coefficients source;
        final JpegFrame frame;
        final int components;
        /** Per component: its table number (luma 0, chroma 1). */
        final int[] table;
        final int tables;
        final int mcusWide;
        final int mcusHigh;
        final int[] h;
        final int[] v;
        final int[] blocksWide;
        byte[] out;
        int length;
        long accumulator;
        int pending;

        Writer(Coefficients source, JpegFrame frame) {
            this.source = source;
            this.frame = frame;
            this.components = frame.components().size();
            table = new int[components];
            h = new int[components];
            v = new int[components];
            blocksWide = new int[components];
            for (int c = 0; c < components; c++) {
                table[c] = c == 0 ? 0 : 1;
                JpegFrame.Component component = frame.components().get(c);
                h[c] = components == 1 ? 1 : component.horizontalSampling();
                v[c] = components == 1 ? 1 : component.verticalSampling();
            }
            tables = components == 1 ? 1 : 2;
            int mh = components == 1 ? 1 : maxH(frame);
            int mv = components == 1 ? 1 : maxV(frame);
            mcusWide = (int) JpegScanCheck.ceilDiv(frame.width(), 8 * mh);
            mcusHigh = (int) JpegScanCheck.ceilDiv(frame.height(), 8 * mv);
            for (int c = 0; c < components; c++) {
                blocksWide[c] = mcusWide * h[c];
            }
        }

        Optional<Turned> write(List<byte[]> leading) {
            for (int c = 0; c < components; c++) {
                for (int other = 0; other < c; other++) {
                    if (frame.components().get(c).quantTable() == frame.components().get(other).quantTable()
                            && source.componentQuant[c] != source.componentQuant[other]) {
                        return Optional.empty(); // one number, two tables: the new scan has one DQT per number
                    }
                }
            }
            long[][] dcFrequency = new long[tables][257];
            long[][] acFrequency = source.acSymbols;
            if (!scan(null, null, dcFrequency)) {
                return Optional.empty();
            }
            Encoding[] dc = new Encoding[tables];
            Encoding[] ac = new Encoding[tables];
            for (int t = 0; t < tables; t++) {
                dc[t] = Encoding.optimal(dcFrequency[t]);
                ac[t] = Encoding.optimal(acFrequency[t]);
            }
            // Optimised tables make the new scan about as long as the old one.
            out = new byte[source.stream.length() + 4096];
            put2(0xFFD8);
            for (byte[] segment : leading) {
                putBytes(segment);
            }
            writeQuantisationTables();
            writeFrameHeader();
            writeHuffmanTables(dc, ac);
            writeScanHeader();
            scan(dc, ac, null);
            flushBits();
            put2(0xFFD9);
            return Optional.of(new Turned(out, length));
        }

        /**
         * One pass over the blocks in the new scan's order: counting the DC differences' symbols
         * (frequencies given; the AC symbols were counted as the blocks were decoded) or coding every
         * symbol. False when a DC difference does not fit 11 bits.
         */
        private boolean scan(Encoding[] dc, Encoding[] ac, long[][] dcFrequency) {
            int[] predictor = new int[components];
            for (int my = 0; my < mcusHigh; my++) {
                for (int mx = 0; mx < mcusWide; mx++) {
                    for (int c = 0; c < components; c++) {
                        short[] blocks = source.blocks[c];
                        long[] nonZeroOf = source.nonZero[c];
                        int t = table[c];
                        for (int by = 0; by < v[c]; by++) {
                            for (int bx = 0; bx < h[c]; bx++) {
                                int block = (my * v[c] + by) * blocksWide[c] + mx * h[c] + bx;
                                int base = block * 64;
                                long mask = nonZeroOf[block];
                                int difference = blocks[base] - predictor[c];
                                predictor[c] = blocks[base];
                                if (difference > MAX_DC_DIFFERENCE || difference < -MAX_DC_DIFFERENCE) {
                                    return false;
                                }
                                if (dc == null) {
                                    dcFrequency[t][category(difference)]++;
                                } else {
                                    codeBlock(blocks, base, mask, difference, dc[t], ac[t]);
                                }
                            }
                        }
                    }
                }
            }
            return true;
        }

        private void codeBlock(short[] blocks, int base, long mask, int difference, Encoding dc, Encoding ac) {
            // At most 64 symbols of 27 bits, and a stuffed zero after each byte: room for all of them.
            ensure(512);
            putSymbol(dc, category(difference), difference);
            walkAcSymbols(blocks, base, mask, null, this, ac); // sixteen zeros and the end of block: size 0, no value bits
        }


        /** A symbol's code and the value bits after it (the low {@code symbol & 15} bits of the value). */
        private void putSymbol(Encoding encoding, int symbol, int value) {
            int size = symbol & 0x0F;
            int valueBits = (value + (value >> 31)) & ((1 << size) - 1); // one less where negative
            int code = encoding.codes[symbol];
            putBits(((code >>> 5) << size) | valueBits, (code & 0x1F) + size);
        }

        /**
         * Appends {@code value}, {@code size} (at most 27) bits with nothing set above them (a code
         * and its value bits, as {@link #putSymbol} puts them together); whole bytes go out four at a
         * time, a zero stuffed after every 0xFF byte. The caller has made room ({@link #ensure}).
         */
        private void putBits(int value, int size) {
            accumulator = (accumulator << size) | value;
            pending += size;
            if (pending >= 32) {
                pending -= 32;
                int word = (int) (accumulator >>> pending);
                int v = ~word;
                if (((v - 0x01010101) & ~v & 0x80808080) == 0) { // no 0xFF byte among the four
                    BIG_ENDIAN_INTS.set(out, length, word);
                    length += 4;
                } else {
                    for (int shift = 24; shift >= 0; shift -= 8) {
                        int b = (word >>> shift) & 0xFF;
                        out[length++] = (byte) b;
                        if (b == 0xFF) {
                            out[length++] = 0;
                        }
                    }
                }
            }
        }

        /** Pads the last byte with ones (T.81 F.1.2.3) and writes out what is pending. */
        private void flushBits() {
            ensure(16);
            int padding = (8 - pending) & 7;
            accumulator = (accumulator << padding) | ((1L << padding) - 1);
            pending += padding;
            while (pending > 0) {
                pending -= 8;
                int b = (int) (accumulator >>> pending) & 0xFF;
                out[length++] = (byte) b;
                if (b == 0xFF) {
                    out[length++] = 0;
                }
            }
            accumulator = 0;
        }

        private void writeQuantisationTables() {
            boolean transpose = source.orientation.swapsDimensions();
            boolean[] written = new boolean[4];
            for (int c = 0; c < components; c++) {
                int number = frame.components().get(c).quantTable();
                if (written[number]) {
                    continue;
                }
                written[number] = true;
                int[] zigzag = source.componentQuant[c];
                boolean wide = source.componentQuantWide[c];
                put2(0xFFDB);
                put2(2 + 1 + 64 * (wide ? 2 : 1));
                put1((wide ? 0x10 : 0) | number);
                for (int k = 0; k < 64; k++) {
                    // The value of the coefficient now at zigzag position k: transposed when the blocks are.
                    int natural = NATURAL[k];
                    int from = transpose ? (natural & 7) * 8 + (natural >> 3) : natural;
                    int value = zigzag[zigzagIndex(from)];
                    if (wide) {
                        put2(value);
                    } else {
                        put1(value);
                    }
                }
            }
        }

        private void writeFrameHeader() {
            put2(0xFFC0);
            put2(8 + 3 * components);
            put1(8);
            put2(frame.height());
            put2(frame.width());
            put1(components);
            for (JpegFrame.Component component : frame.components()) {
                put1(component.id());
                put1(component.horizontalSampling() << 4 | component.verticalSampling());
                put1(component.quantTable());
            }
        }

        private void writeHuffmanTables(Encoding[] dc, Encoding[] ac) {
            for (int t = 0; t < tables; t++) {
                for (int tableClass = 0; tableClass <= 1; tableClass++) {
                    Encoding e = tableClass == 0 ? dc[t] : ac[t];
                    put2(0xFFC4);
                    put2(2 + 17 + e.symbols.length);
                    put1(tableClass << 4 | t);
                    for (int l = 1; l <= 16; l++) {
                        put1(e.counts[l]);
                    }
                    putBytes(e.symbols);
                }
            }
        }

        private void writeScanHeader() {
            put2(0xFFDA);
            put2(6 + 2 * components);
            put1(components);
            for (int c = 0; c < components; c++) {
                put1(frame.components().get(c).id());
                put1(table[c] << 4 | table[c]);
            }
            put1(0);
            put1(63);
            put1(0);
        }

        private void put1(int b) {
            ensure(1);
            out[length++] = (byte) b;
        }

        private void put2(int value) {
            put1(value >> 8);
            put1(value);
        }

        private void putBytes(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, out, length, bytes.length);
            length += bytes.length;
        }

        private void ensure(int more) {
            if (length + more > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
            }
        }
    }

    /**
     * A Huffman table made for given symbol frequencies, codes at most 16 bits long and none all ones
     * (ITU-T T.81 annex K.2: a reserved symbol of frequency 1 takes the all-ones code and is dropped).
     */
    private static final class Encoding {
        final int[] counts = new int[17];
        final byte[] symbols;
        /** Per symbol: its code << 5 | the code's length (one load for both). */
        final int[] codes = new int[256];

        private Encoding(int[] codeLength) {
            int total = 0;
            for (int symbol = 0; symbol < 256; symbol++) {
                if (codeLength[symbol] > 0) {
                    counts[codeLength[symbol]]++;
                    total++;
                }
            }
            symbols = new byte[total];
            int index = 0;
            int next = 0;
            for (int l = 1; l <= 16; l++) {
                for (int symbol = 0; symbol < 256; symbol++) {
                    if (codeLength[symbol] == l) {
                        symbols[index++] = (byte) symbol;
                        codes[symbol] = next++ << 5 | l;
                    }
                }
                next <<= 1;
            }
        }

        static Encoding optimal(long[] frequency) {
            long[] f = Arrays.copyOf(frequency, 257);
            f[256] = 1; // reserved: takes the all-ones code
            int[] size = new int[257];
            int[] chain = new int[257];
            Arrays.fill(chain, -1);
            while (true) {
                int first = -1;
                int second = -1;
                for (int s = 0; s < 257; s++) {
                    if (f[s] == 0) {
                        continue;
                    }
                    if (first < 0 || f[s] < f[first]) {
                        second = first;
                        first = s;
                    } else if (second < 0 || f[s] < f[second]) {
                        second = s;
                    }
                }
                if (second < 0) {
                    break;
                }
                // Merge the second least frequent tree into the first: both grow one bit deeper.
                f[first] += f[second];
                f[second] = 0;
                int s = first;
                size[s]++;
                while (chain[s] >= 0) {
                    s = chain[s];
                    size[s]++;
                }
                chain[s] = second;
                s = second;
                size[s]++;
                while (chain[s] >= 0) {
                    s = chain[s];
                    size[s]++;
                }
            }
            int[] bits = new int[33 + 257];
            for (int s = 0; s < 257; s++) {
                if (size[s] > 0) {
                    bits[size[s]]++;
                }
            }
            // Limit code lengths to 16 bits (annex K, figure K.3).
            for (int i = bits.length - 1; i > 16; i--) {
                while (bits[i] > 0) {
                    int j = i - 2;
                    while (bits[j] == 0) {
                        j--;
                    }
                    bits[i] -= 2;
                    bits[i - 1]++;
                    bits[j + 1] += 2;
                    bits[j]--;
                }
            }
            // Drop the reserved symbol's code: the longest.
            int longest = 16;
            while (bits[longest] == 0) {
                longest--;
            }
            bits[longest]--;
            // Give the lengths to the symbols, most frequent (shortest size) first (annex K, figure K.4).
            int[] order = sortedBySize(size);
            int[] codeLength = new int[256];
            int at = 0;
            for (int l = 1; l <= 16; l++) {
                for (int i = 0; i < bits[l]; i++) {
                    codeLength[order[at++]] = l;
                }
            }
            return new Encoding(codeLength);
        }

        /** The real symbols (not the reserved one) with a size, shortest size first, then by value. */
        private static int[] sortedBySize(int[] size) {
            int count = 0;
            for (int s = 0; s < 256; s++) {
                if (size[s] > 0) {
                    count++;
                }
            }
            int[] order = new int[count];
            int at = 0;
            for (int l = 1; l < 257 + 33; l++) {
                for (int s = 0; s < 256; s++) {
                    if (size[s] == l) {
                        order[at++] = s;
                    }
                }
                if (at == count) {
                    break;
                }
            }
            return order;
        }
    }
}
