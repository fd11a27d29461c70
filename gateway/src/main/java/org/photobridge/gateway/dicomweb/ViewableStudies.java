package org.photobridge.gateway.dicomweb;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.PhotoGate;
import org.photobridge.gateway.consent.ConsentPolicy;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.StudyCatalog;
import org.photobridge.gateway.persistence.StudySeries;

/**
 * Judges every photo of some studies for one caller, as a chart viewer would use them (clinical
 * care): the access policy ({@link AccessPolicy#photo} for viewing), then withdrawal, then the
 * patient's consent. What DICOMweb lists and serves is what is permitted here.
 */
@ApplicationScoped
public class ViewableStudies {

    @Inject
    StudyCatalog catalog;

    @Inject
    ConsentStore consents;

    @Inject
    Clock clock;

    @Inject
    PhotoGate gate;

    /** One photo and whether the caller may view it now, with a reason that names the rule (no PHI). */
    public record Judged(PhotoRecord photo, StudySeries series, boolean permitted, String reason) {
    }

    /** A study with a verdict on each of its photos, in series and instance order. */
    public record JudgedStudy(EncounterStudy study, List<Judged> photos) {
        public BusinessIdentifier patient() {
            return new BusinessIdentifier(study.patientSystem, study.patientValue);
        }

        /** What the caller may see: permitted photos grouped by series; series with none are left out. */
        public ViewableStudy viewable() {
            var bySeries = new LinkedHashMap<UUID, ViewableSeriesBuilder>();
            for (Judged judged : photos) {
                if (judged.permitted()) {
                    bySeries.computeIfAbsent(judged.series().id, id -> new ViewableSeriesBuilder(judged.series()))
                            .photos.add(judged.photo());
                }
            }
            return new ViewableStudy(study, bySeries.values().stream()
                    .map(b -> new ViewableSeries(b.series, List.copyOf(b.photos))).toList());
        }
    }

    private record ViewableSeriesBuilder(StudySeries series, List<PhotoRecord> photos) {
        ViewableSeriesBuilder(StudySeries series) {
            this(series, new ArrayList<>());
        }
    }

    /** The part of a study the caller may view. */
    public record ViewableStudy(EncounterStudy study, List<ViewableSeries> series) {
        public boolean isEmpty() {
            return series.isEmpty();
        }

        public int instanceCount() {
            return series.stream().mapToInt(s -> s.photos().size()).sum();
        }

        public BusinessIdentifier patient() {
            return new BusinessIdentifier(study.patientSystem, study.patientValue);
        }
    }

    /** The photos of one series the caller may view (never empty). */
    public record ViewableSeries(StudySeries series, List<PhotoRecord> photos) {
    }

    /** Finds studies and judges their photos for the caller. */
    public List<JudgedStudy> judge(Caller caller, StudyCatalog.Criteria criteria, int maxStudies) {
        return judge(caller, catalog.studies(criteria, maxStudies));
    }

    /** Judges every photo of these studies for the caller. */
    public List<JudgedStudy> judge(Caller caller, List<EncounterStudy> studies) {
        if (studies.isEmpty()) {
            return List.of();
        }
        var ids = studies.stream().map(s -> s.id).toList();
        Map<UUID, StudySeries> series = new HashMap<>();
        catalog.series(ids).forEach(s -> series.put(s.id, s));
        Map<UUID, List<PhotoRecord>> photosByStudy = new HashMap<>();
        for (PhotoRecord photo : catalog.photos(ids)) {
            photosByStudy.computeIfAbsent(photo.studyId, id -> new ArrayList<>()).add(photo);
        }
        Map<BusinessIdentifier, List<ConsentTerms>> termsByPatient = new HashMap<>();
        Instant now = clock.instant();
        var judged = new ArrayList<JudgedStudy>();
        for (EncounterStudy study : studies) {
            var patient = new BusinessIdentifier(study.patientSystem, study.patientValue);
            var photos = new ArrayList<Judged>();
            List<PhotoRecord> ofStudy = photosByStudy.getOrDefault(study.id, List.of()).stream()
                    .sorted(Comparator.<PhotoRecord>comparingInt(p -> series.get(p.seriesId).seriesNumber)
                            .thenComparingInt(p -> p.instanceNumber))
                    .toList();
            for (PhotoRecord photo : ofStudy) {
                photos.add(judge(caller, study, series.get(photo.seriesId), photo,
                        () -> termsByPatient.computeIfAbsent(patient, consents::termsOfPatient), now));
            }
            judged.add(new JudgedStudy(study, List.copyOf(photos)));
        }
        return judged;
    }

    private Judged judge(Caller caller, EncounterStudy study, StudySeries series, PhotoRecord photo,
            Supplier<List<ConsentTerms>> terms, Instant now) {
        // DICOMweb viewers do not follow RFC 9470 challenges: a photo that needs a second factor the
        // token does not show is left out like any other the caller may not view.
        var access = gate.decide(caller, photo, AccessPolicy.PhotoUse.VIEW);
        if (!access.permitted()) {
            return new Judged(photo, series, false, access.reason());
        }
        if (photo.withdrawnAt != null) {
            return new Judged(photo, series, false, "the patient withdrew consent to the clinical use of this photo");
        }
        var ref = new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid, photo.sopInstanceUid);
        var consent = ConsentPolicy.decide(terms.get(), ConsentScope.CLINICAL_CARE, Optional.of(ref), now);
        return new Judged(photo, series, consent.permitted(), consent.reason());
    }
}
