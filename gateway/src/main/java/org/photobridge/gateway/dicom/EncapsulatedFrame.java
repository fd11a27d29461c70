package org.photobridge.gateway.dicom;

import java.io.IOException;
import java.util.Arrays;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;

/**
 * Encapsulated Pixel Data (PS3.5 A.4) of one frame written from the first {@code length} bytes of a
 * larger array, without a copy: a cleaned JPEG is the upload compacted in place, shorter than its
 * array (CleanedPhoto.pixelArray). Written as PixelMed writes one frame: an empty Basic Offset Table
 * item, one fragment (padded to even length with a zero byte), the sequence delimiter.
 */
final class EncapsulatedFrame extends OtherByteAttributeMultipleCompressedFrames {

    private final byte[] array;
    private final int length;

    EncapsulatedFrame(AttributeTag tag, byte[] array, int length) {
        super(tag, new byte[0][]);
        if (length < 0 || length > array.length) {
            throw new IllegalArgumentException("frame length " + length + " outside an array of " + array.length);
        }
        this.array = array;
        this.length = length;
    }

    private long paddedLength() {
        return length + (length & 1);
    }

    @Override
    public void write(DicomOutputStream out) throws DicomException, IOException {
        writeBase(out);
        writeItemTag(out, 0); // the empty Basic Offset Table
        writeItemTag(out, paddedLength());
        out.write(array, 0, length);
        if ((length & 1) != 0) {
            out.write(0);
        }
        writeSequenceDelimitationItemTag(out);
    }

    @Override
    public long getLengthOfEntireEncodedAttribute(boolean explicit, boolean bigEndian) throws DicomException {
        // base, offset table item, fragment item and its bytes, sequence delimiter
        return getLengthOfBaseOfEncodedAttribute(explicit, bigEndian) + 8 + 8 + paddedLength() + 8;
    }

    @Override
    public int getNumberOfFrames() {
        return 1;
    }

    @Override
    public byte[][] getFrames() {
        return new byte[][] {frame()};
    }

    @Override
    public byte[] getByteValuesForSelectedFrame(int frame) throws DicomException {
        if (frame != 0) {
            throw new DicomException("frame " + frame + " of one");
        }
        return frame();
    }

    /** The frame's bytes, a copy (PixelMed's readers only; the writer never copies). */
    private byte[] frame() {
        return Arrays.copyOf(array, length);
    }
}
