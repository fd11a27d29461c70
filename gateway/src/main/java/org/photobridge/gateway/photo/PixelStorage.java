package org.photobridge.gateway.photo;

import java.util.Objects;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;

/**
 * How the DICOM object stores a cleaned photo's pixels, decided once, in this package, when the
 * photo is cleaned: the form of Pixel Data, the Photometric Interpretation it is labelled with and
 * the transfer syntax of the object. The DICOM writer writes what this says and decides nothing.
 *
 * <p>The VL Image module enumerates MONOCHROME2, RGB, YBR_FULL_422, YBR_PARTIAL_420, YBR_ICT and
 * YBR_RCT, but not YBR_FULL, so a JPEG without chroma subsampling (4:4:4 YCbCr) cannot be stored
 * encapsulated and labelled truthfully. Such a stream is decompressed once to native RGB: no further
 * loss, the camera's lossy history stays in Lossy Image Compression, and the object is still
 * conformant.
 *
 * @param form                      what Pixel Data holds
 * @param photometricInterpretation the Photometric Interpretation (0028,0004) of the stored pixels
 * @param transferSyntaxUid         the transfer syntax of the DICOM object
 */
public record PixelStorage(Form form, String photometricInterpretation, String transferSyntaxUid) {

    /** JPEG Baseline (Process 1). */
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    /** Explicit VR Little Endian. */
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

    /** What Pixel Data holds. */
    public enum Form {
        /** The cleaned JPEG Baseline stream, byte for byte, as one fragment. */
        ENCAPSULATED_JPEG,
        /** The cleaned native samples, byte for byte. */
        NATIVE,
        /**
         * The cleaned JPEG stream decoded to native RGB samples when the object is written
         * ({@link CleanedPhoto#storedPixelData()}).
         */
        NATIVE_DECODED_FROM_JPEG
    }

    public PixelStorage {
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(photometricInterpretation, "photometricInterpretation");
        Objects.requireNonNull(transferSyntaxUid, "transferSyntaxUid");
    }

    /**
     * The decision for pixels in the given encoding and photometric interpretation: the only place
     * where it is made.
     */
    public static PixelStorage of(PixelEncoding encoding, String photometricInterpretation) {
        if (encoding == PixelEncoding.NATIVE) {
            return new PixelStorage(Form.NATIVE, photometricInterpretation, EXPLICIT_VR_LITTLE_ENDIAN);
        }
        if (JpegPhotometric.YBR_FULL.equals(photometricInterpretation)) {
            return new PixelStorage(Form.NATIVE_DECODED_FROM_JPEG, JpegPhotometric.RGB, EXPLICIT_VR_LITTLE_ENDIAN);
        }
        return new PixelStorage(Form.ENCAPSULATED_JPEG, photometricInterpretation, JPEG_BASELINE);
    }

    /** True when Pixel Data holds the JPEG stream (encapsulated), false for native samples. */
    public boolean encapsulated() {
        return form == Form.ENCAPSULATED_JPEG;
    }
}
