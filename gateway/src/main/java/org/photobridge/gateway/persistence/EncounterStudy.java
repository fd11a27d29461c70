package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The DICOM study that holds every photo of one patient's encounter. */
@Entity
@Table(name = "encounter_study")
public class EncounterStudy {
    @Id
    public UUID id;
    @Column(name = "patient_system")
    public String patientSystem;
    @Column(name = "patient_value")
    public String patientValue;
    @Column(name = "encounter_system")
    public String encounterSystem;
    @Column(name = "encounter_value")
    public String encounterValue;
    @Column(name = "study_instance_uid")
    public String studyInstanceUid;
    @Column(name = "created_at")
    public Instant createdAt;
}
