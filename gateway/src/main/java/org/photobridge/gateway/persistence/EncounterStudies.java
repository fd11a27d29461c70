package org.photobridge.gateway.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
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
    Session session;

    @Override
    @Transactional
    public Optional<StudyView> read(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(session.find(EncounterStudy.class, uuid)).map(this::view);
    }

    @Override
    @Transactional
    public List<StudyView> search(Optional<String> patientReference, Optional<BusinessIdentifier> patientIdentifier,
            Optional<BusinessIdentifier> encounter, Optional<String> studyInstanceUid) {
        var where = new ArrayList<String>();
        patientReference.ifPresent(r -> where.add("exists (select 1 from PatientLink l where l.key.system = "
                + "s.patientSystem and l.key.value = s.patientValue and l.reference = :ref)"));
        patientIdentifier.ifPresent(p -> where.add("s.patientSystem = :ps and s.patientValue = :pv"));
        encounter.ifPresent(e -> where.add("s.encounterSystem = :es and s.encounterValue = :ev"));
        studyInstanceUid.ifPresent(u -> where.add("s.studyInstanceUid = :uid"));
        var query = session.createSelectionQuery("select s from EncounterStudy s"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where)) + " order by s.createdAt desc",
                EncounterStudy.class);
        patientReference.ifPresent(r -> query.setParameter("ref", r));
        patientIdentifier.ifPresent(p -> query.setParameter("ps", p.system()).setParameter("pv", p.value()));
        encounter.ifPresent(e -> query.setParameter("es", e.system()).setParameter("ev", e.value()));
        studyInstanceUid.ifPresent(u -> query.setParameter("uid", u));
        return query.setMaxResults(1000).getResultList().stream().map(this::view).toList();
    }

    StudyView view(EncounterStudy study) {
        List<StudyView.SeriesView> series = new ArrayList<>();
        for (StudySeries s : session.createSelectionQuery("from StudySeries where studyId = :s order by seriesNumber",
                StudySeries.class).setParameter("s", study.id).getResultList()) {
            List<PhotoRecord> photos = session.createSelectionQuery(
                    "from PhotoRecord where seriesId = :s and withdrawnAt is null order by instanceNumber",
                    PhotoRecord.class).setParameter("s", s.id).getResultList();
            if (photos.isEmpty()) {
                continue;
            }
            PhotoRecord first = photos.get(0);
            series.add(new StudyView.SeriesView(s.seriesInstanceUid, s.seriesNumber, s.department, s.bodySiteCode,
                    Optional.ofNullable(first.bodySiteDisplay), first.laterality,
                    photos.stream().map(p -> new StudyView.InstanceView(p.sopInstanceUid, p.sopClassUid,
                            p.instanceNumber, Optional.ofNullable(p.viewCode), p.accessTagList())).toList()));
        }
        Optional<String> reference = Optional.ofNullable(session.find(PatientLink.class,
                new PatientLink.Key(study.patientSystem, study.patientValue))).map(l -> l.reference);
        return new StudyView(study.id.toString(), study.studyInstanceUid,
                new BusinessIdentifier(study.patientSystem, study.patientValue), reference,
                new BusinessIdentifier(study.encounterSystem, study.encounterValue), study.createdAt, series);
    }
}
