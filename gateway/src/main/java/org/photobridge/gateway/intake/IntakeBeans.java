package org.photobridge.gateway.intake;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.gateway.dicom.DicomConfig;
import org.photobridge.gateway.dicom.ProtocolVocabulary;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.dicom.ViewVocabulary;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.photo.PhotoCleaner;

/** Wires the framework-free photo, DICOM and validation classes into CDI with their configuration. */
@ApplicationScoped
public class IntakeBeans {

    @Produces
    @ApplicationScoped
    PhotoCleaner photoCleaner(IntakeConfig config) {
        return new PhotoCleaner(config.jpegQuality());
    }

    @Produces
    @ApplicationScoped
    VlPhotoWriter vlPhotoWriter(Clock clock) {
        return new VlPhotoWriter(clock);
    }

    @Produces
    @ApplicationScoped
    UidGenerator uidGenerator(DicomConfig config) {
        return new UidGenerator(config.uidRoot());
    }

    /** Read at start-up, so a bad protocols file stops the gateway instead of the first capture. */
    @Produces
    @ApplicationScoped
    @io.quarkus.runtime.Startup
    CaptureProtocols captureProtocols(CaptureConfig config, ObjectMapper json) {
        return CaptureProtocols.load(config.protocolsFile(), json);
    }

    @Produces
    @ApplicationScoped
    MetadataParser metadataParser(ObjectMapper json, Clock clock) {
        return new MetadataParser(json, code -> ViewVocabulary.find(code).isPresent(),
                String.join(", ", ViewVocabulary.codes()),
                code -> ProtocolVocabulary.find(code).isPresent(),
                String.join(", ", ProtocolVocabulary.codes()), clock);
    }
}
