package org.photobridge.gateway.intake;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.gateway.dicom.DicomConfig;
import org.photobridge.gateway.dicom.ProtocolVocabulary;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.dicom.ViewVocabulary;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.PhotoCleaner;

import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/** Wires the framework-free photo, DICOM and validation classes into CDI with their configuration. */
@ApplicationScoped
public class IntakeBeans {
    private static final Logger LOG = Logger.getLogger(IntakeBeans.class);

    /**
     * The process's one image memory budget, installed as {@link MemoryBudget#shared()} for the
     * classes that are not beans (the renderer).
     */
    @Produces
    @Singleton
    MemoryBudget memoryBudget(MemoryConfig config) {
        if (!(config.heapFraction() > 0 && config.heapFraction() <= 0.9)) {
            throw new IllegalArgumentException("photobridge.memory.heap-fraction must be above 0 and at most 0.9");
        }
        long bytes = config.budgetBytes().orElse((long) (Runtime.getRuntime().maxMemory() * config.heapFraction()));
        var budget = new MemoryBudget(bytes, config.queueLength(), config.maxWait(), config.retryAfter());
        MemoryBudget.useShared(budget);
        LOG.infof("image memory budget: %d MiB of a %d MiB heap, %d may wait up to %s", bytes >> 20,
                Runtime.getRuntime().maxMemory() >> 20, config.queueLength(), config.maxWait());
        return budget;
    }

    /**
     * At start-up: ImageIO never caches streams in the temp directory (photos would land there in
     * plain text), and the memory budget is in place before the first request.
     */
    void onStart(@Observes StartupEvent event, MemoryBudget budget) {
        ImageIO.setUseCache(false);
    }

    @Produces
    @ApplicationScoped
    PhotoCleaner photoCleaner(IntakeConfig config, MemoryBudget budget) {
        return new PhotoCleaner(config.jpegQuality(), budget);
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
