package org.photobridge.gateway.pacs;

import java.util.Locale;

/** What a C-STORE response status means for the delivery (PS3.4 B.2.3, PS3.7 C). */
final class DimseStatus {

    private DimseStatus() {
    }

    static boolean isStored(int status) {
        return status == 0x0000 || status == 0x0111 || (status & 0xF000) == 0xB000 || status == 0x0001
                || status == 0x0107 || status == 0x0116;
    }

    /**
     * Maps a C-STORE response status (PS3.4 B.2.3, PS3.7 C) to an outcome. Warnings count as stored;
     * resource shortages and processing failures are worth retrying; refusals of the object are not.
     */
    static PacsOutcome outcomeForStatus(int status, String where, String transferSyntaxUid) {
        String code = "0x" + String.format(Locale.ROOT, "%04X", status);
        String sent = transferSyntaxUid == null ? "" : " (sent as " + transferSyntaxUid + ")";
        if (status == 0x0000) {
            return new PacsOutcome.Done(where + ": stored, status 0x0000" + sent);
        }
        if (status == 0x0111) {
            return new PacsOutcome.Done(where + ": PACS already holds this SOP Instance (status 0x0111 duplicate)" + sent);
        }
        if ((status & 0xF000) == 0xB000 || status == 0x0001 || status == 0x0107 || status == 0x0116) {
            return new PacsOutcome.Done(where + ": stored with warning " + code + " (" + warningMeaning(status)
                    + "); check the object in the PACS" + sent);
        }
        if ((status & 0xFF00) == 0xA700 || status == 0x0213) {
            return new PacsOutcome.Retry(where + ": PACS refused with status " + code
                    + " (out of resources); will retry, ask the PACS team to check its storage if this persists");
        }
        if (status == 0x0110) {
            return new PacsOutcome.Retry(where + ": PACS reported status 0x0110 (processing failure); will retry,"
                    + " check the PACS log if this persists");
        }
        if (status == 0xFE00) {
            return new PacsOutcome.Retry(where + ": PACS cancelled the C-STORE (status 0xFE00); will retry");
        }
        if ((status & 0xFF00) == 0xA900) {
            return new PacsOutcome.Failed(where + ": PACS refused the object with status " + code
                    + " (data set does not match SOP Class); the object needs correcting, not resending");
        }
        if ((status & 0xF000) == 0xC000) {
            return new PacsOutcome.Failed(where + ": PACS refused the object with status " + code
                    + " (cannot understand); the object needs correcting, not resending");
        }
        if (status == 0x0122) {
            return new PacsOutcome.Failed(where + ": PACS refused with status 0x0122 (SOP Class not supported);"
                    + " configure the PACS to accept this SOP Class");
        }
        if (status == 0x0124) {
            return new PacsOutcome.Failed(where + ": PACS refused with status 0x0124 (not authorized);"
                    + " check the calling AE title is allowed to store");
        }
        if (status == 0xFFFF) {
            return new PacsOutcome.Retry(where + ": C-STORE response carried no status; will retry");
        }
        return new PacsOutcome.Failed(where + ": PACS answered with failure status " + code
                + "; an operator must look at the PACS log before resending");
    }

    private static String warningMeaning(int status) {
        return switch (status) {
            case 0xB000 -> "coercion of data elements";
            case 0xB006 -> "elements discarded";
            case 0xB007 -> "data set does not match SOP Class";
            default -> "warning";
        };
    }
}
