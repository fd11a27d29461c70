package org.photobridge.gateway.dicomweb;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

import org.photobridge.gateway.dicom.DicomTags;

/**
 * Reading stored VL photos (Part 10 bytes) for DICOMweb: their dataset for metadata, and their
 * re-encoding in Explicit VR Little Endian, the transfer syntax WADO-RS sends when the client names
 * none (PS3.18 8.7.3.5). PixelMed does the decoding and encoding.
 */
final class DicomObjects {
    /** Explicit VR Little Endian, the DICOMweb default. */
    static final String EXPLICIT_LITTLE = TransferSyntax.ExplicitVRLittleEndian;
    /** JPEG Baseline (Process 1), what the gateway stores most photos as. */
    static final String JPEG_BASELINE = TransferSyntax.JPEGBaseline;
    /** Source AE title written in the file meta information of re-encoded objects. */
    private static final String SOURCE_AE = "PHOTOBRIDGE";

    private DicomObjects() {
    }

    /** The object's dataset and meta information, pixel data left compressed. */
    static AttributeList read(byte[] part10) throws IOException {
        return DicomTags.read(new ByteArrayInputStream(part10));
    }

    /**
     * Bytes of the object's pixels uncompressed (rows × columns × samples × frames, 8-bit), read from
     * the attributes before Pixel Data without reading the pixels.
     */
    static long uncompressedPixelBytes(byte[] part10) throws IOException {
        try {
            var list = new AttributeList();
            list.read(new DicomInputStream(new ByteArrayInputStream(part10)), TagFromName.PixelData);
            long rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
            long columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
            long samples = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
            long frames = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
            long bytesPerSample = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 8) > 8 ? 2 : 1;
            return rows * columns * samples * Math.max(1, frames) * bytesPerSample;
        } catch (DicomException e) {
            throw new IOException("not a readable DICOM Part 10 object: " + e.getMessage(), e);
        }
    }

    /** The Transfer Syntax UID of the object's meta information. */
    static String transferSyntax(AttributeList list) {
        return Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID).strip();
    }

    /**
     * The pixel data of the object's one frame: as stored (the encapsulated JPEG stream) when
     * {@code asStored}, else uncompressed (Explicit VR Little Endian, colour as interleaved RGB).
     */
    static byte[] frame(byte[] part10, boolean asStored) throws IOException {
        try {
            if (asStored) {
                AttributeList list = read(part10);
                if (list.getPixelData() instanceof OtherByteAttributeMultipleCompressedFrames compressed) {
                    byte[][] frames = compressed.getFrames();
                    if (frames == null || frames.length != 1) {
                        throw new IOException("expected one compressed frame");
                    }
                    return frames[0];
                }
                return list.getPixelData().getByteValues();
            }
            AttributeList list = read(asExplicitLittleEndian(part10));
            return list.getPixelData().getByteValues();
        } catch (DicomException | NullPointerException e) {
            throw new IOException("the object's pixel data cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The object re-encoded in Explicit VR Little Endian: compressed pixel data decompressed (colour
     * as RGB), Lossy Image Compression history kept, everything else unchanged.
     */
    static byte[] asExplicitLittleEndian(byte[] part10) throws IOException {
        try {
            var list = new AttributeList();
            // PixelMed decompresses encapsulated pixel data while reading (its default).
            list.read(new DicomInputStream(new ByteArrayInputStream(part10)));
            if (EXPLICIT_LITTLE.equals(transferSyntax(list))) {
                return part10;
            }
            list.correctDecompressedImagePixelModule(false);
            list.insertLossyImageCompressionHistoryIfDecompressed(false);
            list.removeGroupLengthAttributes();
            list.removeMetaInformationHeaderAttributes();
            FileMetaInformation.addFileMetaInformation(list, EXPLICIT_LITTLE, SOURCE_AE);
            var out = new ByteArrayOutputStream(part10.length * 4);
            list.write(out, EXPLICIT_LITTLE, true, true);
            return out.toByteArray();
        } catch (DicomException e) {
            throw new IOException("cannot re-encode the object in Explicit VR Little Endian: " + e.getMessage(), e);
        }
    }
}
