import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accept latency of an HTTP/1.1 load run as the loopback interface saw it (bench/delivery.sh
 * --capture): a packet capture (tcpdump, pcap format) of the gateway's port read request by request,
 * from the first byte of a request on the wire to the first byte of its answer. It is a clock that
 * belongs neither to the load generator nor to the gateway, so it says how much of the generator's
 * figure the gateway spent: the difference is the generator's own time (a thread busy with another
 * connection when a request was due to start or an answer had come).
 *
 * <pre>java bench/WireLatency.java CAPTURE.pcap PORT LABEL</pre>
 *
 * Prints one {@code RESULT label=LABEL ...} line (p50/p95/p99/max in ms, as wrk's script prints
 * them) and a {@code WIRE} line with the two parts of that time and the client's gap between an
 * answer and its connection's next request. Only IPv4 over the capture's Ethernet framing (what
 * tcpdump writes for {@code -i lo}); requests without an answer in the capture are counted, not
 * timed. Connections are told apart by the client's port, a new one starting at each SYN.
 */
public final class WireLatency {

    private static final int LINKTYPE_ETHERNET = 1;

    /** One request on one connection: times in microseconds since the epoch. */
    private record Exchange(long start, long lastRequestByte, long answer) {
    }

    /** A connection's request in progress. */
    private static final class Open {
        long start = -1;
        long lastRequestByte;
        long lastAnswer = -1;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java WireLatency.java CAPTURE.pcap PORT LABEL");
            System.exit(2);
        }
        Path capture = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String label = args[2];

        List<Exchange> exchanges = new ArrayList<>();
        List<Long> clientGaps = new ArrayList<>();
        Map<Integer, Open> open = new HashMap<>();
        int unanswered = 0;
        try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(capture), 1 << 16))) {
            byte[] header = in.readNBytes(24);
            if (header.length < 24) {
                throw new IOException(capture + " is not a pcap file: it is shorter than its header");
            }
            ByteBuffer global = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int magic = global.getInt(0);
            boolean nanos = magic == 0xa1b23c4d;
            if (magic != 0xa1b2c3d4 && !nanos) {
                throw new IOException(capture + " is not a little-endian pcap file (magic " + Integer.toHexString(magic) + ")");
            }
            if (global.getInt(20) != LINKTYPE_ETHERNET) {
                throw new IOException(capture + " has link type " + global.getInt(20) + "; capture with tcpdump -i lo");
            }
            byte[] record = new byte[16];
            while (true) {
                try {
                    in.readFully(record);
                } catch (EOFException end) {
                    break;
                }
                ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
                long seconds = Integer.toUnsignedLong(r.getInt(0));
                long fraction = Integer.toUnsignedLong(r.getInt(4));
                long micros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
                int included = r.getInt(8);
                byte[] packet = in.readNBytes(included);
                if (packet.length < included) {
                    break; // a capture cut off mid-record (tcpdump stopped hard)
                }
                Segment s = Segment.parse(packet);
                if (s == null) {
                    continue;
                }
                boolean fromClient = s.destinationPort == port;
                int client = fromClient ? s.sourcePort : s.destinationPort;
                if (fromClient && s.syn) {
                    Open before = open.put(client, new Open());
                    if (before != null && before.start >= 0) {
                        unanswered++;
                    }
                    continue;
                }
                if (s.payloadLength <= 0) {
                    continue;
                }
                Open c = open.computeIfAbsent(client, ignored -> new Open());
                if (fromClient) {
                    if (c.start < 0 && s.startsWith("POST ")) {
                        c.start = micros;
                        if (c.lastAnswer >= 0) {
                            clientGaps.add(micros - c.lastAnswer);
                        }
                    }
                    if (c.start >= 0) {
                        c.lastRequestByte = micros;
                    }
                } else if (c.start >= 0 && s.startsWith("HTTP/1.1 ") && !s.startsWith("HTTP/1.1 100")) {
                    exchanges.add(new Exchange(c.start, c.lastRequestByte, micros));
                    c.start = -1;
                    c.lastAnswer = micros;
                }
            }
        }
        for (Open c : open.values()) {
            if (c.start >= 0) {
                unanswered++;
            }
        }
        if (exchanges.isEmpty()) {
            System.err.println("no request with its answer in " + capture);
            System.exit(1);
        }
        long[] total = new long[exchanges.size()];
        long[] sending = new long[exchanges.size()];
        long[] afterSent = new long[exchanges.size()];
        for (int i = 0; i < total.length; i++) {
            Exchange e = exchanges.get(i);
            total[i] = e.answer - e.start;
            sending[i] = e.lastRequestByte - e.start;
            afterSent[i] = e.answer - e.lastRequestByte;
        }
        long[] gaps = clientGaps.stream().mapToLong(Long::longValue).toArray();
        System.out.printf(Locale.ROOT, "RESULT label=%s requests=%d unanswered=%d p50=%.1f p95=%.1f p99=%.1f max=%.1f%n",
                label, total.length, unanswered, ms(percentile(total, 50)), ms(percentile(total, 95)),
                ms(percentile(total, 99)), ms(percentile(total, 100)));
        System.out.printf(Locale.ROOT, "WIRE %s: request sent (first to last byte) p50 %.1f / p99 %.1f ms; last request byte"
                        + " to answer p50 %.1f / p99 %.1f ms; client's gap from an answer to the connection's next request"
                        + " p50 %.1f / p99 %.1f ms%n",
                label, ms(percentile(sending, 50)), ms(percentile(sending, 99)), ms(percentile(afterSent, 50)),
                ms(percentile(afterSent, 99)), gaps.length == 0 ? 0 : ms(percentile(gaps, 50)),
                gaps.length == 0 ? 0 : ms(percentile(gaps, 99)));
    }

    /** Nearest rank: the smallest value that at least {@code p} percent of them do not exceed. */
    static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The TCP facts of one captured IPv4 frame. */
    private record Segment(int sourcePort, int destinationPort, boolean syn, int payloadLength, byte[] frame,
            int payloadOffset) {

        static Segment parse(byte[] frame) {
            if (frame.length < 14 + 20 || (frame[12] & 0xFF) != 0x08 || frame[13] != 0x00) {
                return null; // not IPv4
            }
            int ip = 14;
            int ipHeader = (frame[ip] & 0x0F) * 4;
            int ipTotal = ((frame[ip + 2] & 0xFF) << 8) | (frame[ip + 3] & 0xFF);
            if ((frame[ip + 9] & 0xFF) != 6 || frame.length < ip + ipHeader + 20) {
                return null; // not TCP, or cut before the TCP header
            }
            int tcp = ip + ipHeader;
            int source = ((frame[tcp] & 0xFF) << 8) | (frame[tcp + 1] & 0xFF);
            int destination = ((frame[tcp + 2] & 0xFF) << 8) | (frame[tcp + 3] & 0xFF);
            int tcpHeader = ((frame[tcp + 12] & 0xFF) >> 4) * 4;
            int flags = frame[tcp + 13] & 0xFF;
            boolean syn = (flags & 0x02) != 0 && (flags & 0x10) == 0;
            int payload = ipTotal - ipHeader - tcpHeader;
            return new Segment(source, destination, syn, payload, frame, tcp + tcpHeader);
        }

        /** Whether the payload's captured bytes start with {@code text}. */
        boolean startsWith(String text) {
            byte[] expected = text.getBytes(StandardCharsets.US_ASCII);
            if (payloadOffset + expected.length > frame.length) {
                return false;
            }
            for (int i = 0; i < expected.length; i++) {
                if (frame[payloadOffset + i] != expected[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
