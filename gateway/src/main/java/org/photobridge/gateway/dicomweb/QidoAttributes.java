package org.photobridge.gateway.dicomweb;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;

import org.photobridge.gateway.dicomweb.ViewableStudies.ViewableSeries;
import org.photobridge.gateway.dicomweb.ViewableStudies.ViewableStudy;
import org.photobridge.gateway.persistence.PhotoRecord;

/**
 * The attributes of QIDO-RS answers (PS3.18 10.6.3), from what the gateway's database holds about
 * studies, series and photos. Counts are of what the caller may see. Patient name, birth date and
 * sex live only inside the stored objects; they are copied from one of the study's objects when
 * {@code includefield} asks for them.
 */
final class QidoAttributes {
    /** The gateway's photos are VL Photographic Images of modality XC (see dicom/VlPhotoWriter). */
    static final String MODALITY = "XC";

    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT);
    private static final AttributeTag ISSUER_OF_PATIENT_ID = TagFromName.IssuerOfPatientID;

    private final String baseUrl;
    private final ZoneId zone;

    /**
     * @param baseUrl the DICOMweb root of this door, for Retrieve URL
     * @param zone    the zone Study Date and Study Time are written in
     */
    QidoAttributes(String baseUrl, ZoneId zone) {
        this.baseUrl = baseUrl;
        this.zone = zone;
    }

    ObjectNode study(ViewableStudy study, Optional<AttributeList> header, QidoQuery query) throws DicomException {
        ZonedDateTime created = study.study().createdAt.atZone(zone);
        var json = new DicomJson.Dataset()
                .string(TagFromName.StudyDate, "DA", DA.format(created))
                .string(TagFromName.StudyTime, "TM", TM.format(created))
                .string(TagFromName.AccessionNumber, "SH")
                .string(DicomWebTags.INSTANCE_AVAILABILITY, "CS", "ONLINE")
                .string(TagFromName.ModalitiesInStudy, "CS", MODALITY)
                .string(TagFromName.SOPClassesInStudy, "UI", study.series().stream()
                        .flatMap(s -> s.photos().stream()).map(p -> p.sopClassUid).distinct().toArray(String[]::new))
                .string(TagFromName.ReferringPhysicianName, "PN")
                .string(DicomWebTags.RETRIEVE_URL, "UR", studyUrl(study))
                .string(TagFromName.PatientID, "LO", study.study().patientValue)
                .string(TagFromName.StudyInstanceUID, "UI", study.study().studyInstanceUid)
                .integer(TagFromName.NumberOfStudyRelatedSeries, "IS", study.series().size())
                .integer(TagFromName.NumberOfStudyRelatedInstances, "IS", study.instanceCount());
        issuer(study.study().patientSystem).ifPresent(issuer -> json.string(ISSUER_OF_PATIENT_ID, "LO", issuer));
        if (header.isPresent()) {
            for (AttributeTag tag : QidoQuery.FROM_OBJECTS) {
                if (query.includes(tag)) {
                    json.copy(header.get(), tag);
                }
            }
        }
        return json.toJson();
    }

    ObjectNode series(ViewableStudy study, ViewableSeries series) {
        return new DicomJson.Dataset()
                .string(DicomWebTags.INSTANCE_AVAILABILITY, "CS", "ONLINE")
                .string(TagFromName.Modality, "CS", MODALITY)
                .string(TagFromName.InstitutionalDepartmentName, "LO", series.series().department)
                .string(DicomWebTags.RETRIEVE_URL, "UR", seriesUrl(study, series))
                .string(TagFromName.StudyInstanceUID, "UI", study.study().studyInstanceUid)
                .string(TagFromName.SeriesInstanceUID, "UI", series.series().seriesInstanceUid)
                .integer(TagFromName.SeriesNumber, "IS", series.series().seriesNumber)
                .integer(TagFromName.NumberOfSeriesRelatedInstances, "IS", series.photos().size())
                .toJson();
    }

    ObjectNode instance(ViewableStudy study, ViewableSeries series, PhotoRecord photo) {
        return new DicomJson.Dataset()
                .string(TagFromName.SOPClassUID, "UI", photo.sopClassUid)
                .string(TagFromName.SOPInstanceUID, "UI", photo.sopInstanceUid)
                .string(DicomWebTags.INSTANCE_AVAILABILITY, "CS", "ONLINE")
                .string(TagFromName.Modality, "CS", MODALITY)
                .string(DicomWebTags.RETRIEVE_URL, "UR", seriesUrl(study, series) + "/instances/" + photo.sopInstanceUid)
                .string(TagFromName.StudyInstanceUID, "UI", study.study().studyInstanceUid)
                .string(TagFromName.SeriesInstanceUID, "UI", series.series().seriesInstanceUid)
                .integer(TagFromName.InstanceNumber, "IS", photo.instanceNumber)
                .integer(TagFromName.NumberOfFrames, "IS", 1)
                .toJson();
    }

    private String studyUrl(ViewableStudy study) {
        return baseUrl + "/studies/" + study.study().studyInstanceUid;
    }

    private String seriesUrl(ViewableStudy study, ViewableSeries series) {
        return studyUrl(study) + "/series/" + series.series().seriesInstanceUid;
    }

    /** Issuer of Patient ID as the photos carry it: the OID, UUID or URI of the identifier's system. */
    static Optional<String> issuer(String system) {
        String issuer = system.startsWith("urn:oid:") ? system.substring("urn:oid:".length())
                : system.startsWith("urn:uuid:") ? system.substring("urn:uuid:".length()) : system;
        return issuer.length() <= 64 ? Optional.of(issuer) : Optional.empty();
    }
}
