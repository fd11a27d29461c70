package org.photobridge.gateway.photo;

import java.time.LocalDateTime;
import java.util.Optional;

/**
 * The only EXIF facts the gateway keeps: orientation and capture hints. Everything else in EXIF
 * (GPS, serial numbers, owner, artist, thumbnails) is never read.
 */
record ExifFacts(int orientation, Optional<LocalDateTime> takenAt, Optional<String> make, Optional<String> model) {

    static final ExifFacts NONE = new ExifFacts(1, Optional.empty(), Optional.empty(), Optional.empty());

    CleanedPhoto.CaptureHints hints() {
        return new CleanedPhoto.CaptureHints(takenAt, make, model);
    }
}
