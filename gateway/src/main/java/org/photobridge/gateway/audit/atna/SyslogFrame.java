package org.photobridge.gateway.audit.atna;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One RFC 5424 syslog message carrying an audit message, framed for RFC 5425 (octet counting):
 * {@code LEN SP <PRI>1 TIMESTAMP HOSTNAME APP-NAME - IHE+RFC-3881 [meta sequenceId="n"] BOM xml}.
 * PRI is facility 10 (security/authorization) with severity 5 (notice), or 4 (warning) for a
 * refused or failed action, as IHE ITI-20 asks. TIMESTAMP is the entry's own time and PROCID is
 * nil, so a message sent twice is the same bytes twice.
 */
public final class SyslogFrame {
    /** IHE ITI-20: the MSGID of an audit message. */
    public static final String MSGID = "IHE+RFC-3881";
    static final int FACILITY_AUTHPRIV = 10;
    static final int SEVERITY_NOTICE = 5;
    static final int SEVERITY_WARNING = 4;
    /** RFC 5424 7.3.1: sequenceId runs from 1 to 2147483647 and starts again at 1. */
    static final long MAX_SEQUENCE_ID = 2147483647L;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final String hostname;
    private final String appName;

    public SyslogFrame(String hostname, String appName) {
        this.hostname = headerField("hostname", hostname, 255);
        this.appName = headerField("app-name", appName, 48);
    }

    /** The framed message: its length in octets, a space, and the syslog message. */
    public byte[] frame(long sequence, Instant time, boolean success, byte[] xml) {
        byte[] message = message(sequence, time, success, xml);
        var out = new ByteArrayOutputStream(message.length + 8);
        out.writeBytes((message.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(message);
        return out.toByteArray();
    }

    /** The RFC 5424 message without framing. */
    public byte[] message(long sequence, Instant time, boolean success, byte[] xml) {
        int pri = FACILITY_AUTHPRIV * 8 + (success ? SEVERITY_NOTICE : SEVERITY_WARNING);
        String header = "<" + pri + ">1 " + timestamp(time) + " " + hostname + " " + appName + " - " + MSGID
                + " [meta sequenceId=\"" + sequenceId(sequence) + "\"] ";
        var out = new ByteArrayOutputStream(header.length() + BOM.length + xml.length);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(BOM);
        out.writeBytes(xml);
        return out.toByteArray();
    }

    /** The trail's sequence number as an RFC 5424 meta sequenceId (equal to it below 2^31). */
    static long sequenceId(long sequence) {
        return (sequence - 1) % MAX_SEQUENCE_ID + 1;
    }

    /** RFC 5424 TIMESTAMP: RFC 3339 in UTC with at most six fractional digits. */
    static String timestamp(Instant time) {
        return time.truncatedTo(ChronoUnit.MICROS).toString();
    }

    /** HOSTNAME and APP-NAME are 1..max printable US-ASCII characters without spaces. */
    static String headerField(String name, String value, int max) {
        if (value == null || value.isEmpty() || value.length() > max
                || !value.chars().allMatch(c -> c >= 33 && c <= 126)) {
            throw new IllegalArgumentException("photobridge.audit.atna." + name + " must be 1 to " + max
                    + " printable US-ASCII characters without spaces (RFC 5424), not '" + value + "'");
        }
        return value;
    }
}
