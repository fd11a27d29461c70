package org.photobridge.gateway.intake;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import org.photobridge.gateway.dicom.PhotoInstance.Code;
import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.PhotoInstance.Patient;

/** The upload's metadata after validation: every field well-formed, vocabularies checked. */
public record PhotoRequest(
        Patient patient,
        Identifier encounter,
        String department,
        List<String> accessTags,
        Code bodySite,
        String laterality,
        Optional<String> view,
        Optional<String> protocol,
        Optional<Instant> takenAt,
        Optional<String> deviceManufacturer,
        Optional<String> deviceModel) {

    /** Every department the uploader must belong to: the department and each access tag. */
    public SortedSet<String> requiredDepartments() {
        var all = new TreeSet<>(accessTags);
        all.add(department);
        return all;
    }
}
