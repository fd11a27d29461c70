package org.photobridge.fhir.imaging;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;

/**
 * An encounter's photo study as the gateway knows it, to be shown as a FHIR ImagingStudy.
 *
 * @param id                 logical id of the ImagingStudy on our server
 * @param studyInstanceUid   DICOM Study Instance UID
 * @param patient            patient business identifier
 * @param patientReference   literal reference in the EHR (Patient/123), when resolved
 * @param encounter          encounter business identifier
 * @param started            when the first photo was accepted
 * @param series             series with their instances; withdrawn instances are left out
 */
public record StudyView(
        String id,
        String studyInstanceUid,
        BusinessIdentifier patient,
        Optional<String> patientReference,
        BusinessIdentifier encounter,
        Instant started,
        List<SeriesView> series) {

    /** A series: one department and body site. */
    public record SeriesView(String seriesInstanceUid, int number, String department, String bodySiteCode,
            Optional<String> bodySiteDisplay, String laterality, List<InstanceView> instances) {
    }

    /**
     * One photo. {@code accessTags} are the departments that may see it: the gateway filters by them
     * and they are never published.
     */
    public record InstanceView(String sopInstanceUid, String sopClassUid, int number, Optional<String> view,
            List<String> accessTags) {
    }
}
