package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.MultipleInstanceTransferStatusHandler;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.StorageSOPClassSCU;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the socket when PixelMed sends a C-STORE through a coalesced association: every write
 * is one whole PDU (its 6-byte header and the length the header announces), never PixelMed's
 * byte-at-a-time headers. Against the test stack's Orthanc, which must store the object.
 */
class PduWritesTest {

    @TempDir
    Path tmp;

    @Test
    void everyPduOfACStoreLeavesInOneWriteAndThePacsStoresTheObject() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.describe(noisyPhoto());
        var contexts = new LinkedList<PresentationContext>();
        contexts.add(new PresentationContext((byte) 1, photo.sopClassUid(), photo.transferSyntaxUid()));
        Association association = AssociationFactory.createNewAssociation(peer.host(), peer.dicomPort(),
                peer.aeTitle(), peer.callingAeTitle(), 1 << 20, 1 << 20, 1 << 20, contexts, null, false, null, null);
        Field out = Association.class.getDeclaredField("out");
        out.setAccessible(true);
        var wire = new RecordingStream((OutputStream) out.get(association));
        out.set(association, wire);

        assertTrue(PduWrites.coalesce(association), "PixelMed's output stream is reachable");
        var files = new SetOfDicomFiles();
        files.add(photo.file().toString());
        var failures = new int[] {-1};
        new StorageSOPClassSCU(association, files, new MultipleInstanceTransferStatusHandler() {
            @Override
            public void updateStatus(int remaining, int completed, int failed, int warning, String sopInstanceUid) {
                failures[0] = failed;
            }
        }, 0);
        association.release();

        assertEquals(0, failures[0], "Orthanc answered the C-STORE with success");
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "Orthanc holds the object");
        long dataPdus = wire.writes.stream().filter(w -> w[0] == 0x04).count();
        long objectBytes = Files.size(photo.file());
        assertTrue(dataPdus >= objectBytes / PduWrites.BUFFER_BYTES + 2,
                "the object went in several P-DATA PDUs (" + dataPdus + " for " + objectBytes + " bytes)");
        for (byte[] write : wire.writes) {
            assertTrue(write.length >= 6, "a write of " + write.length + " bytes is not a whole PDU");
            long announced = ((write[2] & 0xffL) << 24) | ((write[3] & 0xff) << 16) | ((write[4] & 0xff) << 8) | (write[5] & 0xff);
            assertEquals(announced + 6, write.length, "a write of PDU type " + write[0] + " holds exactly that PDU");
        }
    }

    /** A JPEG of noise (about 300 KB, so that it takes many 16 KiB PDUs), wrapped by dcmtk's img2dcm. */
    private Path noisyPhoto() throws Exception {
        var image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        var random = new Random(7);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Path jpeg = tmp.resolve("noise.jpg");
        ImageIO.write(image, "jpg", jpeg.toFile());
        Path dicom = tmp.resolve("noise.dcm");
        var process = new ProcessBuilder("img2dcm", "-vlp", jpeg.toString(), dicom.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "img2dcm finished");
        assertEquals(0, process.exitValue(), "img2dcm (dcmtk) must be installed: " + output);
        return dicom;
    }

    /** Passes everything on to the socket and keeps a copy of each write call's bytes. */
    private static final class RecordingStream extends FilterOutputStream {
        final List<byte[]> writes = new ArrayList<>();

        RecordingStream(OutputStream socket) {
            super(socket);
        }

        @Override
        public void write(int b) throws IOException {
            writes.add(new byte[] {(byte) b});
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            var copy = new ByteArrayOutputStream(len);
            copy.write(b, off, len);
            writes.add(copy.toByteArray());
            out.write(b, off, len);
        }
    }
}
