package org.photobridge.gateway.pacs;

import java.time.Duration;

import com.pixelmed.dicom.DicomException;

/**
 * Classifies what went wrong talking to a PACS: what PixelMed throws (rejection, abort, socket
 * trouble, time-out) becomes a retry or a failure with a reason an operator can act on.
 */
final class DimseFailures {

    private DimseFailures() {
    }

    /**
     * Maps what PixelMed throws to an outcome. PixelMed reports rejection and abort as
     * {@link DicomNetworkException} whose message carries PS3.8 result, source and reason in words,
     * for example {@code A-ASSOCIATE-RJ indication - rejected-permanent by DICOM UL Service User,
     * called AE Title not recognized}.
     */
    static PacsOutcome outcomeForException(DimseSettings settings, String where, String phase, Throwable e,
            boolean timedOut) {
        // PixelMed turns socket trouble into "A-P-ABORT indication - ... java.net.ConnectException: ..."
        // keeping only the text, so both the exception chain and its text are consulted.
        String text = describe(e);
        if (timedOut || text.contains("SocketTimeoutException")) {
            return new PacsOutcome.Retry(where + ": no answer from the PACS for " + seconds(settings.readTimeout())
                    + " during " + phase + "; will retry");
        }
        if (text.contains("ConnectException")) {
            return new PacsOutcome.Retry(where + ": connection refused; is the PACS running and is the port right?"
                    + " Will retry");
        }
        if (text.contains("UnknownHostException")) {
            return new PacsOutcome.Retry(where + ": host name does not resolve; check the destination's host setting."
                    + " Will retry");
        }
        if (text.contains("NoRouteToHostException")) {
            return new PacsOutcome.Retry(where + ": no route to host; check the network. Will retry");
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("A-ASSOCIATE-RJ")) {
            String detail = message.substring(message.indexOf("rejected") >= 0 ? message.indexOf("rejected") : 0);
            if (message.contains("rejected-transient")) {
                return new PacsOutcome.Retry(where + ": association rejected (" + detail + "); will retry");
            }
            return new PacsOutcome.Failed(where + ": association rejected (" + detail + "); check the called AE title '"
                    + settings.calledAeTitle() + "' and that the PACS knows calling AE title '"
                    + settings.callingAeTitle() + "'");
        }
        if (message.contains("A-ABORT")) {
            return new PacsOutcome.Retry(where + ": the PACS aborted the association during " + phase + "; will retry");
        }
        if (message.startsWith("refusing to decompress")) {
            return new PacsOutcome.Failed(where + ": the PACS did not accept the object's own transfer syntax and "
                    + "PhotoBridge does not decompress photos (" + message.substring("refusing to decompress ".length())
                    + "); configure the PACS to accept it");
        }
        if (message.startsWith("C-ECHO reports failure status")) {
            return new PacsOutcome.Retry(where + ": " + message);
        }
        if (e instanceof DicomException) {
            return new PacsOutcome.Failed(where + ": the object could not be encoded for sending ("
                    + e.getClass().getSimpleName() + "); it must be rebuilt");
        }
        // Connection reset, broken pipe, socket closed by the PACS: network trouble is worth a retry.
        return new PacsOutcome.Retry(where + ": " + phase + " failed (" + e.getClass().getSimpleName()
                + (message.isEmpty() ? "" : ": " + firstLine(message)) + "); will retry");
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(Throwable e) {
        var text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
