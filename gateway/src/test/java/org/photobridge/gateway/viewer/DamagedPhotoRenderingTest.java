package org.photobridge.gateway.viewer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.photo.CleanedPhoto;

/** A stored JPEG the one decoder finds damaged is not shrunk into a thumbnail with grey patches. */
class DamagedPhotoRenderingTest {

    @Test
    void thumbnailOfDamagedJpegPhotoIsRefused() {
        CleanedPhoto photo = ViewerTestPhotos.jpeg(320, 240, false, false);
        byte[] stream = photo.pixelData().clone();
        int sos = -1;
        for (int i = stream.length - 2; i > 1; i--) {
            if ((stream[i] & 0xFF) == 0xFF && (stream[i + 1] & 0xFF) == 0xDA) {
                sos = i;
                break;
            }
        }
        for (int i = sos + 20; i < sos + 400; i++) {
            if (stream[i] != (byte) 0xFF && stream[i - 1] != (byte) 0xFF) {
                stream[i] = 0x13;
            }
        }
        CleanedPhoto damaged = new CleanedPhoto(photo.encoding(), stream, photo.columns(), photo.rows(),
                photo.samplesPerPixel(), photo.photometricInterpretation(), 8, 8, photo.iccProfile(), photo.lossy(),
                photo.source(), photo.hints());
        byte[] object = ViewerTestPhotos.part10(damaged, ViewerTestPhotos.instance(new UidGenerator(Optional.empty())));

        var e = assertThrows(UnrenderablePhotoException.class, () -> new PhotoRenderer().thumbnail(object, 64));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }
}
