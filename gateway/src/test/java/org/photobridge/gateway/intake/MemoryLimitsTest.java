package org.photobridge.gateway.intake;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.FlatJpeg;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Uploads meet the gateway's memory limits as clean answers: a giant refused from its header (413),
 * thousands of scans refused (422), and no memory free with a full queue: 503 with Retry-After.
 */
@QuarkusTest
@TestProfile(MemoryLimitsTest.SmallBudget.class)
@QuarkusTestResource(TestStack.class)
class MemoryLimitsTest {
    private static final String PROBLEM = "application/problem+json";

    /** The budget a 1 GB heap gets, and no waiting: a request that finds the memory taken is refused. */
    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("photobridge.memory.budget-bytes", String.valueOf(512L << 20),
                    "photobridge.memory.queue-length", "0",
                    "photobridge.memory.retry-after", "7s");
        }
    }

    @Inject
    MemoryBudget budget;

    private final String mrn = "MRN-MEMORY-" + UUID.randomUUID();

    @Test
    void uploadFindingTheMemoryTakenGets503WithRetryAfterAndMayBeRepeated() {
        byte[] rotated = TestImages.jpegWithAllMetadata(TestImages.storedFor(TestImages.scene(), 6), 6);
        try (var everything = budget.reserve(budget.totalBytes())) {
            Uploads.upload(PLASTICS, rotated, "p.jpg", Uploads.metadata(mrn, "ENC-MEM"))
                    .then().statusCode(503).contentType(PROBLEM).header("Retry-After", "7")
                    .body("type", equalTo("urn:photobridge:problem:busy"))
                    .body("detail", containsString("busy with other large images"));
        }
        Uploads.upload(PLASTICS, rotated, "p.jpg", Uploads.metadata(mrn, "ENC-MEM")).then().statusCode(202);
        assertEquals(budget.totalBytes(), budget.availableBytes(), "the upload gave its memory back");
    }

    @Test
    void flat444GiantIsRefusedFromItsHeader() {
        byte[] giant = FlatJpeg.of(16000, 15600, false, 1);

        Uploads.upload(PLASTICS, giant, "giant.jpg", Uploads.metadata(mrn, "ENC-GIANT"))
                .then().statusCode(413).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:too-many-pixels"))
                .body("detail", containsString("MiB for image work"));
        assertEquals(budget.totalBytes(), budget.availableBytes());
    }

    @Test
    void thousandsOfProgressiveScansAreRefusedWith422() {
        byte[] progressive = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, true);
        int sos = TestImages.indexOf(progressive, new byte[] {(byte) 0xFF, (byte) 0xDA}, 2);
        var parts = new ArrayList<byte[]>();
        parts.add(java.util.Arrays.copyOfRange(progressive, 0, sos));
        byte[] scans = java.util.Arrays.copyOfRange(progressive, sos, progressive.length - 2);
        for (int i = 0; i < 500; i++) {
            parts.add(scans);
        }
        parts.add(new byte[] {(byte) 0xFF, (byte) 0xD9});

        Uploads.upload(PLASTICS, TestImages.concat(parts.toArray(byte[][]::new)), "scans.jpg",
                Uploads.metadata(mrn, "ENC-SCANS"))
                .then().statusCode(422).contentType(PROBLEM)
                .body("type", equalTo("urn:photobridge:problem:image-too-complex"))
                .body("detail", equalTo("the JPEG file has more than 100 scans; the limit is 100"));
    }
}
