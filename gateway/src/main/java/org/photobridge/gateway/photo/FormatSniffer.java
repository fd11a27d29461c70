package org.photobridge.gateway.photo;

/** Recognises an upload's format by its first bytes, never by its name or declared media type. */
final class FormatSniffer {

    private FormatSniffer() {
    }

    static PhotoFormat sniff(byte[] bytes) {
        return sniff(bytes, bytes.length);
    }

    /** Sniffs the file in the first {@code length} bytes of {@code bytes}. */
    static PhotoFormat sniff(byte[] bytes, int length) {
        if (length == 0) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT, "the uploaded file is empty");
        }
        if (length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return PhotoFormat.JPEG;
        }
        if (startsWith(bytes, length, PngChunks.SIGNATURE)) {
            return PhotoFormat.PNG;
        }
        throw new PhotoRejectedException(PhotoRejectedException.Reason.UNSUPPORTED_FORMAT,
                "expected a JPEG or PNG image; the file's bytes are neither");
    }

    private static boolean startsWith(byte[] bytes, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
