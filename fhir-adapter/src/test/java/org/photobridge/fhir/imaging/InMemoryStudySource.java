package org.photobridge.fhir.imaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;

/** Test stand-in for the gateway's study store. */
final class InMemoryStudySource implements ImagingStudySource {
    private final Map<String, StudyView> studies = new LinkedHashMap<>();

    InMemoryStudySource add(StudyView view) {
        studies.put(view.id(), view);
        return this;
    }

    @Override
    public Optional<StudyView> read(String id) {
        return Optional.ofNullable(studies.get(id));
    }

    @Override
    public List<StudyView> search(Optional<String> patientReference, Optional<BusinessIdentifier> patientIdentifier,
            Optional<BusinessIdentifier> encounter, Optional<String> studyInstanceUid) {
        var result = new ArrayList<StudyView>();
        for (var study : studies.values()) {
            if (patientReference.isPresent() && !patientReference.equals(study.patientReference())) {
                continue;
            }
            if (patientIdentifier.isPresent() && !patientIdentifier.get().equals(study.patient())) {
                continue;
            }
            if (encounter.isPresent() && !encounter.get().equals(study.encounter())) {
                continue;
            }
            if (studyInstanceUid.isPresent() && !studyInstanceUid.get().equals(study.studyInstanceUid())) {
                continue;
            }
            result.add(study);
        }
        return result;
    }
}
