package org.photobridge.gateway.photo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * Checks that the scans of an 8-bit baseline JPEG (SOF0, Huffman coding, sequential) decode
 * completely and cleanly, by decoding only their Huffman layer: no dequantisation, IDCT or colour
 * conversion. A stream that cleaning keeps byte for byte goes to the PACS undecoded, so this is
 * where damage in it is found (docs/security.md, "Fuzzing").
 *
 * <p>It refuses at least everything the JDK's libjpeg refuses or warns about as corrupt in such a
 * stream (bad tables, undefined tables, invalid codes, data running out, misplaced restart markers,
 * extraneous bytes) and some things libjpeg lets pass silently: coefficients beyond the 64th, DC
 * differences over 11 bits and AC values over 10 bits (which no 8-bit encoder writes), undefined
 * run/size symbols, padding bits that are not ones, any byte after the last block, and a colour
 * component that is coded in no scan or in two.
 *
 * <p>Speed is the point (it replaced a full decode that cost about 90% of cleaning a kept photo):
 * each Huffman table has a {@value #LOOKAHEAD}-bit lookahead table whose entry says how many bits
 * the code and the value bits after it take and how far it moves in the block, so value bits are
 * skipped, never extracted; where the next symbols fit the same lookahead bits, the entry covers
 * them too, up to an end-of-block (3.25 million lookups for one of benchmark 1's photos on average,
 * against 3.50 million with two symbols at most); bits are read up to seven bytes at a time where
 * no 0xFF byte is near, by a refill whose only input from the symbols just decoded is the bit count
 * (the next eight bytes shifted in after the counted bits, the position moved by the whole bytes
 * that fit), so that it adds two operations to the chain of table loads instead of six.
 */
final class JpegScanCheck {

    /**
     * Heap the check holds besides the stream: the lookahead tables (two of 8 KiB each) of the at most
     * 8 Huffman tables in use.
     */
    static final long WORKING_BYTES = 256L << 10;

    /** Bits looked up at once; longer codes (rare in photos) are decoded bit by bit. */
    private static final int LOOKAHEAD = 11;
    /** A lookahead entry that needs the slow path: a longer code, no code, or a symbol to refuse. */
    private static final int SLOW = Integer.MIN_VALUE;
    /** How far an end-of-block moves in a block: past any index a coefficient can have. */
    private static final int END_OF_BLOCK = 128;
    /** Most blocks in one MCU of an interleaved scan (T.81 B.2.3; libjpeg refuses more). */
    private static final int MAX_BLOCKS_IN_MCU = 10;
    /** Bits one symbol can take with its value bits: a 16-bit code and an 11-bit DC difference. */
    private static final int MAX_SYMBOL_BITS = 27;

    /** Eight bytes at once, big-endian (also {@link JpegBlockTurn}'s reader). */
    static final VarHandle BIG_ENDIAN_LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] data;
    private final JpegFrame frame;
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private final boolean[] quantTableDefined = new boolean[4];
    private final boolean[] componentScanned;
    private int restartInterval;
    private int scan;

    // The bit reader of the scan being checked: the next bits are the high bits of `bits`, `bitCount`
    // of them counted (past them, zeros or bits of the byte at `pos`, loaded again later in the same
    // place; only zeros once a marker stopped loading, and the count below zero once a block read past
    // the data); `pos` is the next byte to load, `end` the end of the scan's data; `atMarker` once a
    // marker stopped loading.
    private long bits;
    private int bitCount;
    private int pos;
    private int end;
    private boolean atMarker;

    private JpegScanCheck(byte[] data, JpegFrame frame) {
        this.data = data;
        this.frame = frame;
        this.componentScanned = new boolean[frame.components().size()];
    }

    /**
     * Checks the tables and every scan of a parsed 8-bit baseline stream, in stream order: what
     * cleaning keeps of it (tables, frame header, scans) is checked, the rest is ignored.
     *
     * @throws PhotoRejectedException CORRUPT, with a message that names the scan and the problem,
     *                                when the stream would not decode completely and cleanly
     * @throws IllegalArgumentException when the frame is not 8-bit baseline
     */
    static void requireComplete(JpegSegments stream, JpegFrame frame) {
        if (!frame.isBaseline()) {
            throw new IllegalArgumentException("only 8-bit baseline frames are checked here, not " + frame.processName());
        }
        new JpegScanCheck(stream.bytes(), frame).check(stream.parts());
    }

    private void check(List<JpegSegments.Part> parts) {
        if (frame.height() == 0) {
            throw corrupt("the JPEG frame header declares a height of 0");
        }
        for (int i = 0; i < parts.size(); i++) {
            if (!(parts.get(i) instanceof JpegSegments.Segment segment)) {
                continue;
            }
            switch (segment.marker()) {
                case JpegSegments.DHT -> defineHuffmanTables(segment);
                case JpegSegments.DQT -> defineQuantisationTables(segment);
                case JpegSegments.DRI -> defineRestartInterval(segment);
                case JpegSegments.SOS -> {
                    // The parser puts the scan's entropy-coded data right after its SOS segment.
                    var scanData = (JpegSegments.EntropyData) parts.get(i + 1);
                    checkScan(segment, scanData);
                    i++;
                }
                default -> {
                    // Frame header (read by JpegFrame) and segments that cleaning removes.
                }
            }
        }
        for (int c = 0; c < componentScanned.length; c++) {
            if (!componentScanned[c]) {
                throw corrupt("the JPEG image data is incomplete: colour component " + (c + 1) + " is in no scan");
            }
        }
    }

    // ------------------------------------------------------------------ tables

    private void defineHuffmanTables(JpegSegments.Segment segment) {
        readHuffmanTables(data, segment, dcTables, acTables);
    }

    /**
     * DHT: one or more tables, each class/number, 16 code counts and the symbols (T.81 B.2.4.2), into
     * the DC and AC tables by number; refused as libjpeg refuses them. Also {@link JpegBlockTurn}'s.
     */
    static void readHuffmanTables(byte[] data, JpegSegments.Segment segment, HuffmanTable[] dcTables,
            HuffmanTable[] acTables) {
        int p = segment.payloadOffset();
        int limit = p + segment.payloadLength();
        while (p < limit) {
            if (limit - p < 17) {
                throw corrupt("a JPEG Huffman table (DHT) is cut short");
            }
            int tableClass = (data[p] & 0xFF) >> 4;
            int number = data[p] & 0x0F;
            if (tableClass > 1 || number > 3) {
                throw corrupt("a JPEG Huffman table (DHT) has an invalid class or number");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int length = 1; length <= 16; length++) {
                counts[length] = data[p + length] & 0xFF;
                total += counts[length];
            }
            if (total > 256) {
                throw corrupt("a JPEG Huffman table (DHT) declares more than 256 codes");
            }
            if (limit - p - 17 < total) {
                throw corrupt("a JPEG Huffman table (DHT) is cut short");
            }
            byte[] symbols = Arrays.copyOfRange(data, p + 17, p + 17 + total);
            var table = new HuffmanTable(tableClass == 0, counts, symbols);
            (tableClass == 0 ? dcTables : acTables)[number] = table;
            p += 17 + total;
        }
    }

    /** DQT: one or more tables of 64 values, 8-bit or 16-bit (T.81 B.2.4.1). */
    private void defineQuantisationTables(JpegSegments.Segment segment) {
        int p = segment.payloadOffset();
        int limit = p + segment.payloadLength();
        while (p < limit) {
            int precision = (data[p] & 0xFF) >> 4;
            int number = data[p] & 0x0F;
            if (precision > 1 || number > 3) {
                throw corrupt("a JPEG quantisation table (DQT) has an invalid precision or number");
            }
            int size = 1 + 64 * (precision + 1);
            if (limit - p < size) {
                throw corrupt("a JPEG quantisation table (DQT) is cut short");
            }
            quantTableDefined[number] = true;
            p += size;
        }
    }

    private void defineRestartInterval(JpegSegments.Segment segment) {
        if (segment.payloadLength() != 2) {
            throw corrupt("a JPEG restart interval (DRI) segment has the wrong length");
        }
        int p = segment.payloadOffset();
        restartInterval = ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
    }

    // ------------------------------------------------------------------ scans

    private void checkScan(JpegSegments.Segment sos, JpegSegments.EntropyData scanData) {
        scan++;
        int p = sos.payloadOffset();
        int count = data[p] & 0xFF;
        if (count < 1 || count > 4 || sos.payloadLength() != 1 + 2 * count + 3) {
            throw corrupt("the JPEG scan header (SOS) of scan " + scan + " is malformed");
        }
        var components = frame.components();
        int maxH = 1;
        int maxV = 1;
        for (JpegFrame.Component c : components) {
            maxH = Math.max(maxH, c.horizontalSampling());
            maxV = Math.max(maxV, c.verticalSampling());
        }
        var dc = new HuffmanTable[MAX_BLOCKS_IN_MCU];
        var ac = new HuffmanTable[MAX_BLOCKS_IN_MCU];
        int blocksInMcu = 0;
        JpegFrame.Component only = null;
        for (int i = 0; i < count; i++) {
            int id = data[p + 1 + 2 * i] & 0xFF;
            int tables = data[p + 2 + 2 * i] & 0xFF;
            int index = indexOf(id);
            if (index < 0) {
                throw corrupt("scan " + scan + " of the JPEG codes a colour component its frame does not have");
            }
            if (componentScanned[index]) {
                throw corrupt("scan " + scan + " of the JPEG codes a colour component that another scan coded");
            }
            componentScanned[index] = true;
            JpegFrame.Component component = components.get(index);
            only = component;
            int quant = component.quantTable();
            if (quant > 3 || !quantTableDefined[quant]) {
                throw corrupt("scan " + scan + " of the JPEG uses a quantisation table that is not defined");
            }
            HuffmanTable dcTable = usable(dcTables, tables >> 4);
            HuffmanTable acTable = usable(acTables, tables & 0x0F);
            int blocks = count == 1 ? 1 : component.horizontalSampling() * component.verticalSampling();
            if (blocksInMcu + blocks > MAX_BLOCKS_IN_MCU) {
                throw corrupt("scan " + scan + " of the JPEG has more than " + MAX_BLOCKS_IN_MCU + " blocks per MCU");
            }
            for (int b = 0; b < blocks; b++) {
                dc[blocksInMcu] = dcTable;
                ac[blocksInMcu] = acTable;
                blocksInMcu++;
            }
        }
        // The spectral selection and approximation bytes are not read: libjpeg decodes a sequential
        // scan as all 64 coefficients whatever they say (and only warns), and some encoders write zeros.
        long mcus;
        if (count == 1) {
            // Non-interleaved: one block per MCU, over the component's own size (T.81 A.2.2).
            long columns = ceilDiv((long) frame.width() * only.horizontalSampling(), 8L * maxH);
            long rows = ceilDiv((long) frame.height() * only.verticalSampling(), 8L * maxV);
            mcus = columns * rows;
        } else {
            mcus = ceilDiv(frame.width(), 8L * maxH) * ceilDiv(frame.height(), 8L * maxV);
        }
        var dcLookahead = new int[blocksInMcu][];
        for (int b = 0; b < blocksInMcu; b++) {
            dcLookahead[b] = dc[b].followedBy(ac[b]);
        }
        decodeScan(scanData, mcus, Arrays.copyOf(dc, blocksInMcu), Arrays.copyOf(ac, blocksInMcu), dcLookahead);
    }

    private HuffmanTable usable(HuffmanTable[] tables, int number) {
        HuffmanTable table = number <= 3 ? tables[number] : null;
        if (table == null) {
            throw corrupt("scan " + scan + " of the JPEG uses a Huffman table that is not defined");
        }
        if (table.dc && !table.usableForDc) {
            // libjpeg refuses a DC table with a symbol over 15 when a scan uses it.
            throw corrupt("scan " + scan + " of the JPEG uses an invalid DC Huffman table");
        }
        table.prepareLookahead();
        return table;
    }

    private int indexOf(int componentId) {
        var components = frame.components();
        for (int i = 0; i < components.size(); i++) {
            if (components.get(i).id() == componentId) {
                return i;
            }
        }
        return -1;
    }

    /** Decodes the scan's MCUs restart interval by restart interval, then checks how the data ends. */
    private void decodeScan(JpegSegments.EntropyData scanData, long mcus, HuffmanTable[] dc, HuffmanTable[] ac,
            int[][] dcLookahead) {
        bits = 0;
        bitCount = 0;
        pos = scanData.offset();
        end = scanData.offset() + scanData.length();
        atMarker = false;
        int interval = restartInterval;
        int restart = 0;
        long left = mcus;
        while (true) {
            long n = interval == 0 ? left : Math.min(interval, left);
            decodeMcus(n, dc, ac, dcLookahead);
            left -= n;
            if (left == 0) {
                break;
            }
            requireEndOfData("restart interval");
            requireRestartMarker(restart);
            restart = (restart + 1) & 7;
        }
        requireEndOfData("last block");
        if (pos < end && interval != 0 && mcus % interval == 0 && isRestartMarker(restart)) {
            // A restart marker after the last interval carries nothing; libjpeg skips it, so do we.
            requireRestartMarker(restart);
        }
        if (pos < end) {
            throw corrupt("scan " + scan + " of the JPEG has extraneous data after its last block");
        }
    }

    /**
     * Decodes {@code n} MCUs of blocks coded with the given tables, skipping every value. The bit
     * reader lives in locals here; the rare slow paths go through the fields.
     */
    private void decodeMcus(long n, HuffmanTable[] dc, HuffmanTable[] ac, int[][] dcLookahead) {
        final byte[] data = this.data;
        final int end = this.end;
        long bits = this.bits;
        int bitCount = this.bitCount;
        int pos = this.pos;
        int blocks = dc.length;
        for (long mcu = 0; mcu < n; mcu++) {
            for (int block = 0; block < blocks; block++) {
                HuffmanTable table = dc[block];
                HuffmanTable acTable = ac[block];
                int[] lookahead = dcLookahead[block];
                int[] acLookahead = acTable.lookahead;
                int k = 0; // coefficient index: 0 is the DC difference, 1..63 the AC coefficients
                while (true) {
                    // Room for two lookups: each takes at most MAX_SYMBOL_BITS.
                    if (bitCount < 2 * MAX_SYMBOL_BITS && !atMarker) {
                        long word;
                        if (pos <= end - 8 && !hasFf(word = (long) BIG_ENDIAN_LONGS.get(data, pos))) {
                            // The bits past the count are the next bytes' own (a partly loaded byte
                            // is loaded again in the same place), so ORing them in again is harmless.
                            bits |= word >>> bitCount;
                            pos += (63 - bitCount) >>> 3;
                            bitCount |= 56;
                        } else {
                            this.bits = bits;
                            this.bitCount = bitCount;
                            this.pos = pos;
                            refillBytewise();
                            bits = this.bits;
                            bitCount = this.bitCount;
                            pos = this.pos;
                        }
                    }
                    int entry = lookahead[(int) (bits >>> (64 - LOOKAHEAD))];
                    if (entry < 0) {
                        entry = slowEntry(table, bits, bitCount);
                    }
                    int next = k + (entry >>> 20);
                    if ((next & 0x7F) < 64) {
                        // Every symbol of the entry (its moves summed; an end-of-block adds END_OF_BLOCK).
                        k = next;
                        bits <<= entry; // the low six bits: the entry's bits
                        bitCount -= entry & 0x3F;
                    } else {
                        // The block reaches its 64th coefficient within the entry: its first symbol alone.
                        k += (entry >>> 12) & 0xFF;
                        int used = (entry >>> 6) & 0x3F;
                        bits <<= used;
                        bitCount -= used;
                    }
                    table = acTable;
                    lookahead = acLookahead;
                    if (k >= 64) {
                        break;
                    }
                    entry = acLookahead[(int) (bits >>> (64 - LOOKAHEAD))];
                    if (entry < 0) {
                        entry = slowEntry(acTable, bits, bitCount);
                    }
                    next = k + (entry >>> 20);
                    if ((next & 0x7F) < 64) {
                        // Every symbol of the entry (its moves summed; an end-of-block adds END_OF_BLOCK).
                        k = next;
                        bits <<= entry; // the low six bits: the entry's bits
                        bitCount -= entry & 0x3F;
                    } else {
                        // The block reaches its 64th coefficient within the entry: its first symbol alone.
                        k += (entry >>> 12) & 0xFF;
                        int used = (entry >>> 6) & 0x3F;
                        bits <<= used;
                        bitCount -= used;
                    }
                    if (k >= 64) {
                        break;
                    }
                }
                if (bitCount < 0) {
                    throw corrupt("scan " + scan + " of the JPEG is damaged or truncated: its data ends inside a block");
                }
                if (k > 64 && k < END_OF_BLOCK) {
                    throw corrupt("scan " + scan + " of the JPEG is damaged: a block has more than 64 coefficients");
                }
            }
        }
        this.bits = bits;
        this.bitCount = bitCount;
        this.pos = pos;
    }

    /** True when some byte of the word is 0xFF (see {@link JpegSegments#nextFf}). */
    static boolean hasFf(long word) {
        long v = ~word;
        return ((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0;
    }

    /** Loads byte by byte, unstuffing 0xFF00, up to the next marker (RSTn or the end of the scan). */
    private void refillBytewise() {
        while (bitCount <= 56) {
            if (pos >= end) {
                atMarker = true;
                return;
            }
            int b = data[pos] & 0xFF;
            if (b == 0xFF) {
                if (pos + 1 < end && data[pos + 1] == 0) {
                    pos += 2;
                } else {
                    atMarker = true;
                    return;
                }
            } else {
                pos++;
            }
            bits |= (long) b << (56 - bitCount);
            bitCount += 8;
        }
    }

    /**
     * The entry for a symbol the lookahead table cannot give: a code longer than the lookahead, or
     * something to refuse.
     */
    private int slowEntry(HuffmanTable table, long bits, int bitCount) {
        for (int length = 1; length <= 16; length++) {
            int code = (int) (bits >>> (64 - length));
            if (code <= table.maxCode[length]) {
                if (length > bitCount) {
                    break;
                }
                int symbol = table.symbols[code + table.valueOffset[length]] & 0xFF;
                int entry = entry(table.dc, symbol, length);
                if (entry < 0) {
                    throw corrupt("scan " + scan + " of the JPEG is damaged: " + invalidSymbol(table.dc, symbol));
                }
                return entry;
            }
        }
        if (bitCount < 16) {
            throw corrupt("scan " + scan + " of the JPEG is damaged or truncated: its data ends inside a block");
        }
        throw corrupt("scan " + scan + " of the JPEG is damaged: it has an invalid Huffman code");
    }

    private static String invalidSymbol(boolean dc, int symbol) {
        if (dc) {
            return "a DC difference of more than 11 bits";
        }
        return (symbol & 0x0F) == 0 ? "an undefined run-length symbol" : "an AC coefficient of more than 10 bits";
    }

    /**
     * A lookahead entry for one symbol: bits 0..5 the bits the entry's symbols take with their value
     * bits, bits 6..11 the bits of the first symbol alone, bits 12..19 how far the first symbol moves
     * the coefficient index (1 for a DC difference, run + 1 for an AC value, 16 for a run of sixteen
     * zeros, {@link #END_OF_BLOCK}), bits 20..27 how far all of the entry's symbols move it together
     * (here the first's move again); {@link #SLOW} for a symbol an 8-bit baseline stream cannot hold.
     * {@link HuffmanTable#following} adds the AC symbols after it where they fit the lookahead (their
     * bits to bits 0..5, their moves to bits 20..27). Bits 0..5 come first so that the decoder shifts
     * its bit buffer by the entry itself (a long shift takes the low six bits of its count): table
     * load and shift are all the hot path waits for.
     */
    private static int entry(boolean dc, int symbol, int codeLength) {
        if (dc) {
            return symbol > 11 ? SLOW : single(codeLength + symbol, 1);
        }
        int run = symbol >> 4;
        int size = symbol & 0x0F;
        if (size == 0) {
            return switch (run) {
                case 0 -> single(codeLength, END_OF_BLOCK);
                case 15 -> single(codeLength, 16);
                default -> SLOW;
            };
        }
        return size > 10 ? SLOW : single(codeLength + size, run + 1);
    }

    /** The entry of one symbol: its bits (for the entry and for its first symbol) and its move. */
    private static int single(int used, int advance) {
        return used | (used << 6) | (advance << 12) | (advance << 20);
    }

    /**
     * At the end of an interval or the scan: what is left of the last byte is padding (ones), and no
     * whole byte is left before the marker.
     */
    private void requireEndOfData(String where) {
        boolean byteLeft = pos < end && (data[pos] != (byte) 0xFF || pos + 1 < end && data[pos + 1] == 0);
        if (bitCount >= 8 || byteLeft) {
            throw corrupt("scan " + scan + " of the JPEG has extraneous data after the " + where);
        }
        if (bitCount > 0 && bits >>> (64 - bitCount) != (1L << bitCount) - 1) {
            throw corrupt("scan " + scan + " of the JPEG has data where padding is expected after the " + where);
        }
    }

    /** True when the next bytes are RSTn, after any fill bytes. */
    private boolean isRestartMarker(int n) {
        int p = pos;
        if (p >= end || data[p] != (byte) 0xFF) {
            return false;
        }
        while (p < end && data[p] == (byte) 0xFF) {
            p++;
        }
        return p < end && (data[p] & 0xFF) == 0xD0 + n;
    }

    private void requireRestartMarker(int n) {
        if (pos >= end) {
            throw corrupt("scan " + scan + " of the JPEG is damaged or truncated: it ends where restart marker "
                    + n + " is expected");
        }
        if (!isRestartMarker(n)) {
            throw corrupt("scan " + scan + " of the JPEG is damaged: restart marker " + n + " is not where expected");
        }
        int p = pos;
        while (data[p] == (byte) 0xFF) {
            p++;
        }
        pos = p + 1;
        bits = 0;
        bitCount = 0;
        atMarker = false;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static PhotoRejectedException corrupt(String message) {
        return new PhotoRejectedException(Reason.CORRUPT, message);
    }

    /**
     * A Huffman table as libjpeg's {@code jpeg_make_d_derived_tbl} accepts it: at most 256 codes,
     * each fitting its length without being all ones. Its lookahead table is built when a scan first
     * uses it (streams may define tables they never use, and many of them).
     */
    static final class HuffmanTable {
        final boolean dc;
        final byte[] symbols;
        final boolean usableForDc;
        /** Per code length, the largest code of that length, or -1. */
        final int[] maxCode = new int[17];
        /** Per code length, what to add to a code of that length for its index in {@link #symbols}. */
        final int[] valueOffset = new int[17];
        /** Per code length 1..16, how many codes have it. */
        final int[] counts;
        /** One symbol per entry. */
        private int[] single;
        /** Symbols after the first where they fit: an AC table's with itself, a DC table's with {@link #pairedWith}. */
        int[] lookahead;
        private HuffmanTable pairedWith;

        HuffmanTable(boolean dc, int[] counts, byte[] symbols) {
            this.dc = dc;
            this.counts = counts;
            this.symbols = symbols;
            int code = 0;
            int index = 0;
            for (int length = 1; length <= 16; length++) {
                valueOffset[length] = index - code;
                code += counts[length];
                index += counts[length];
                maxCode[length] = counts[length] > 0 ? code - 1 : -1;
                if (counts[length] > 0 && code >= 1 << length) {
                    throw corrupt("a JPEG Huffman table (DHT) has more codes than fit their lengths");
                }
                code <<= 1;
            }
            boolean smallSymbols = true;
            for (byte symbol : symbols) {
                smallSymbols &= (symbol & 0xFF) <= 15;
            }
            this.usableForDc = smallSymbols;
        }

        void prepareLookahead() {
            if (single != null) {
                return;
            }
            int[] table = new int[1 << LOOKAHEAD];
            Arrays.fill(table, SLOW);
            int code = 0;
            int index = 0;
            for (int length = 1; length <= LOOKAHEAD; length++) {
                for (int i = 0; i < counts[length]; i++) {
                    int first = code << (LOOKAHEAD - length);
                    Arrays.fill(table, first, first + (1 << (LOOKAHEAD - length)),
                            entry(dc, symbols[index] & 0xFF, length));
                    code++;
                    index++;
                }
                code <<= 1;
            }
            single = table;
            if (!dc) {
                lookahead = following(table, table);
            }
        }

        /**
         * The lookahead of this DC table where each entry also takes the block's first AC symbols
         * from the given table, where they fit.
         */
        int[] followedBy(HuffmanTable ac) {
            if (pairedWith != ac) {
                lookahead = following(single, ac.single);
                pairedWith = ac;
            }
            return lookahead;
        }

        /**
         * Where a symbol that does not end the block leaves room in the lookahead bits for whole
         * symbols after it (code and value bits, from {@code next}), its entry takes them too, up to
         * and including an end-of-block, with their moves summed. The decoder uses all of them only
         * where the block stays under 64 coefficients until the last, and the first alone otherwise.
         */
        private static int[] following(int[] first, int[] next) {
            int mask = (1 << LOOKAHEAD) - 1;
            int[] entries = first.clone();
            for (int bits = 0; bits <= mask; bits++) {
                int one = first[bits];
                if (one < 0 || ((one >>> 12) & 0xFF) == END_OF_BLOCK) {
                    continue;
                }
                int used = one & 0x3F;
                int moves = (one >>> 12) & 0xFF;
                while (used < LOOKAHEAD) {
                    int another = next[(bits << used) & mask];
                    int anotherBits = another & 0x3F;
                    int anotherMove = (another >>> 12) & 0xFF;
                    if (another < 0 || used + anotherBits > LOOKAHEAD
                            || anotherMove != END_OF_BLOCK && moves + anotherMove >= 64) {
                        break;
                    }
                    used += anotherBits;
                    moves += anotherMove;
                    if (anotherMove == END_OF_BLOCK) {
                        break;
                    }
                }
                entries[bits] = used | (one & (0x3F << 6)) | (one & (0xFF << 12)) | (moves << 20);
            }
            return entries;
        }
    }
}
