package org.photobridge.fhir.imaging;

import java.util.List;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;

/** The port the ImagingStudy provider reads studies through; implemented by the gateway. */
public interface ImagingStudySource {

    Optional<StudyView> read(String id);

    /**
     * Studies matching every given criterion.
     *
     * @param patientReference  Patient/123 (literal reference), or empty
     * @param patientIdentifier patient business identifier, or empty
     * @param encounter         encounter business identifier, or empty
     * @param studyInstanceUid  DICOM Study Instance UID (ImagingStudy.identifier urn:dicom:uid), or empty
     */
    List<StudyView> search(Optional<String> patientReference, Optional<BusinessIdentifier> patientIdentifier,
            Optional<BusinessIdentifier> encounter, Optional<String> studyInstanceUid);
}
