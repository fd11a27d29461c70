package org.photobridge.gateway.routing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Makes sure the bytes about to be used are the photo's: after every decryption of the local copy
 * and every WADO-RS fetch, the object's SOP Instance UID and Patient ID must be the ones of the
 * photo's row. A mismatch, or a local copy that fails decryption, is a security alert (audited, in
 * its own transaction so that the failing request cannot roll it back) and an error for the caller:
 * never a silent fallback to another source.
 */
@ApplicationScoped
public class PhotoIntegrity {
    private static final Logger LOG = Logger.getLogger(PhotoIntegrity.class);

    @Inject
    Photos photos;

    @Inject
    AuditLog audit;

    /** Checks a whole Part 10 object held in memory; {@code source} names where it came from (no PHI). */
    public void check(PhotoRecord photo, byte[] part10, String source) {
        AttributeList header;
        try {
            header = readHeader(new ByteArrayInputStream(part10));
        } catch (IOException e) {
            throw alert(photo, source + " returned bytes that are not a readable DICOM object");
        }
        compare(photo, photos.study(photo.studyId), header, source);
    }

    /**
     * Reads a whole stream (a local copy being decrypted) to its end, checking the identity in its
     * header; the end matters because every segment must authenticate before the copy is used.
     */
    public void checkStream(PhotoRecord photo, InputStream in, String source) throws IOException {
        checkStream(photo, photos.study(photo.studyId), in, source);
    }

    /** As {@link #checkStream(PhotoRecord, InputStream, String)}, with the photo's study already read. */
    public void checkStream(PhotoRecord photo, EncounterStudy study, InputStream in, String source)
            throws IOException {
        AttributeList header;
        try {
            header = readHeader(in);
        } catch (IOException e) {
            if (e instanceof org.photobridge.gateway.store.DecryptionFailedException) {
                throw e;
            }
            throw alert(photo, study, source + " is not a readable DICOM object");
        }
        in.transferTo(OutputStream.nullOutputStream());
        compare(photo, study, header, source);
    }

    private void compare(PhotoRecord photo, EncounterStudy study, AttributeList header, String source) {
        Optional<String> mismatch = mismatch(photo, study, header, source);
        if (mismatch.isPresent()) {
            throw alert(photo, study, mismatch.get());
        }
    }

    /**
     * What is wrong with an object's header (read while it is being sent), or empty when its SOP
     * Instance UID and Patient ID are the photo's. Raises no alert: the caller does, once it has stopped.
     */
    public Optional<String> mismatch(PhotoRecord photo, AttributeList header, String source) {
        return mismatch(photo, photos.study(photo.studyId), header, source);
    }

    /** As {@link #mismatch(PhotoRecord, AttributeList, String)}, with the photo's study already read. */
    public static Optional<String> mismatch(PhotoRecord photo, EncounterStudy study, AttributeList header,
            String source) {
        String sop = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.SOPInstanceUID).strip();
        String patientId = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.PatientID).strip();
        if (!sop.equals(photo.sopInstanceUid)) {
            return Optional.of(source + " holds another object: its SOP Instance UID is not the photo's");
        }
        if (!patientId.equals(study.patientValue)) {
            return Optional.of(source + " holds another patient's object: its Patient ID is not the photo's");
        }
        return Optional.empty();
    }

    /** Records a security alert about a photo and returns the error to raise. */
    public PhotoNotReadableException alert(PhotoRecord photo, String what) {
        return alert(photo, photos.study(photo.studyId), what);
    }

    private PhotoNotReadableException alert(PhotoRecord photo, EncounterStudy study, String what) {
        LOG.errorf("SECURITY ALERT, photo %s: %s", photo.id, what);
        QuarkusTransaction.requiringNew().run(() -> audit.record(AuditAction.SECURITY_ALERT, false,
                AuditLog.Agent.SYSTEM, Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid, "urn:uuid:" + photo.id),
                "photo integrity check failed: " + what));
        return new PhotoNotReadableException(PhotoNotReadableException.Reason.INTEGRITY,
                "the photo failed its integrity check (" + what + "); a security alert was raised");
    }

    /** The data set up to (not including) the pixel data, where SOP Instance UID and Patient ID are. */
    private static AttributeList readHeader(InputStream in) throws IOException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        try {
            list.read(new DicomInputStream(in), TagFromName.PixelData);
        } catch (DicomException e) {
            throw new IOException("not a readable DICOM Part 10 object: " + e.getMessage(), e);
        }
        return list;
    }
}
