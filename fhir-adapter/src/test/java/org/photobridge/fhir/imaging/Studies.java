package org.photobridge.fhir.imaging;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.imaging.StudyView.InstanceView;
import org.photobridge.fhir.imaging.StudyView.SeriesView;

/** Study views the ImagingStudy tests share. */
final class Studies {
    static final String PACS = "https://pacs.example.org/dicom-web";
    static final String VL_PHOTO = "1.2.840.10008.5.1.4.1.1.77.1.4";
    static final BusinessIdentifier JANE = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0042");
    static final BusinessIdentifier JOHN = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0077");
    static final BusinessIdentifier ENC_118 = new BusinessIdentifier("urn:oid:1.2.3.4.6", "ENC-2026-118");
    static final BusinessIdentifier ENC_200 = new BusinessIdentifier("urn:oid:1.2.3.4.6", "ENC-2026-200");

    private Studies() {
    }

    /** Jane's breast series: left close-up and a bilateral frontal, plus an unpaired abdomen series. */
    static StudyView janeBreast() {
        var breast = new SeriesView("2.25.1001", 1, "plastic-surgery", "76752008", Optional.of("Breast"), "L",
                List.of(new InstanceView("2.25.1001.1", VL_PHOTO, 1, Optional.of("left-oblique-45"), List.of("dermatology")),
                        new InstanceView("2.25.1001.2", VL_PHOTO, 2, Optional.empty(), List.of("dermatology"))));
        var both = new SeriesView("2.25.1002", 2, "plastic-surgery", "76752008", Optional.of("Breast"), "B",
                List.of(new InstanceView("2.25.1002.1", VL_PHOTO, 1, Optional.of("anterior"), List.of("dermatology"))));
        var abdomen = new SeriesView("2.25.1003", 3, "plastic-surgery", "113345001", Optional.empty(), "U",
                List.of(new InstanceView("2.25.1003.1", VL_PHOTO, 1, Optional.empty(), List.of("dermatology"))));
        return new StudyView("s1", "2.25.100", JANE, Optional.of("Patient/77"), ENC_118,
                Instant.parse("2026-11-20T10:11:12Z"), List.of(breast, both, abdomen));
    }

    /** John's wound photos, patient not yet resolved in the EHR. */
    static StudyView johnWound() {
        var wound = new SeriesView("2.25.2001", 1, "wound-care", "39937001", Optional.of("Skin"), "R",
                List.of(new InstanceView("2.25.2001.1", VL_PHOTO, 1, Optional.of("close-up"), List.of("dermatology"))));
        return new StudyView("s2", "2.25.200", JOHN, Optional.empty(), ENC_200,
                Instant.parse("2026-11-21T08:00:00Z"), List.of(wound));
    }

    /** Jane's later study whose only photo was withdrawn. */
    static StudyView janeAllWithdrawn() {
        var empty = new SeriesView("2.25.3001", 1, "dermatology", "89545001", Optional.of("Face"), "U", List.of());
        return new StudyView("s3", "2.25.300", JANE, Optional.of("Patient/77"), ENC_200,
                Instant.parse("2026-11-22T09:00:00Z"), List.of(empty));
    }
}
