package org.photobridge.gateway.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.imaging.ImagingStudySource;
import org.photobridge.fhir.imaging.StudyView;

/**
 * Each encounter's study as EHR viewers see it (FHIR ImagingStudy): its series and the photos
 * still in use. Withdrawn photos are left out; the ImagingStudy id is the study's gateway id.
 */
@ApplicationScoped
public class EncounterStudies implements ImagingStudySource {

    @Inject
    Studies studies;

    @Inject
    StudySeriesRows seriesRows;

    @Inject
    Photos photos;

    @Inject
    PatientLinks patientLinks;

    @Override
    @Transactional
    public Optional<StudyView> read(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return studies.findByIdOptional(uuid).map(this::view);
    }

    @Override
    @Transactional
    public List<StudyView> search(Optional<String> patientReference, Optional<BusinessIdentifier> patientIdentifier,
            Optional<BusinessIdentifier> encounter, Optional<String> studyInstanceUid) {
        var where = new ArrayList<String>();
        Map<String, Object> parameters = new HashMap<>();
        patientReference.ifPresent(r -> {
            where.add("exists (select 1 from PatientLink l where l.key.system = s.patientSystem"
                    + " and l.key.value = s.patientValue and l.reference = :ref)");
            parameters.put("ref", r);
        });
        patientIdentifier.ifPresent(p -> {
            where.add("s.patientSystem = :ps and s.patientValue = :pv");
            parameters.put("ps", p.system());
            parameters.put("pv", p.value());
        });
        encounter.ifPresent(e -> {
            where.add("s.encounterSystem = :es and s.encounterValue = :ev");
            parameters.put("es", e.system());
            parameters.put("ev", e.value());
        });
        studyInstanceUid.ifPresent(u -> {
            where.add("s.studyInstanceUid = :uid");
            parameters.put("uid", u);
        });
        return studies.find("select s from EncounterStudy s"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where)) + " order by s.createdAt desc",
                parameters).page(0, 1000).list().stream().map(this::view).toList();
    }

    StudyView view(EncounterStudy study) {
        List<StudyView.SeriesView> series = new ArrayList<>();
        for (StudySeries s : seriesRows.ofStudy(study.id)) {
            List<PhotoRecord> inUse = photos.inUseOfSeries(s.id);
            if (inUse.isEmpty()) {
                continue;
            }
            PhotoRecord first = inUse.get(0);
            series.add(new StudyView.SeriesView(s.seriesInstanceUid, s.seriesNumber, s.department, s.bodySiteCode,
                    Optional.ofNullable(first.bodySiteDisplay), first.laterality,
                    inUse.stream().map(p -> new StudyView.InstanceView(p.sopInstanceUid, p.sopClassUid,
                            p.instanceNumber, Optional.ofNullable(p.viewCode), p.accessTagList())).toList()));
        }
        Optional<String> reference = patientLinks.reference(
                new BusinessIdentifier(study.patientSystem, study.patientValue));
        return new StudyView(study.id.toString(), study.studyInstanceUid,
                new BusinessIdentifier(study.patientSystem, study.patientValue), reference,
                new BusinessIdentifier(study.encounterSystem, study.encounterValue), study.createdAt, series);
    }
}
