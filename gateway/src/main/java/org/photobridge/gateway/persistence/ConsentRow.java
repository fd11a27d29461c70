package org.photobridge.gateway.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A Consent's identity and the search keys of its current version. */
@Entity
@Table(name = "consent_resource")
public class ConsentRow {
    @Id
    public String id;
    @Column(name = "current_version")
    public long currentVersion;
    public String status;
    @Column(name = "patient_system")
    public String patientSystem;
    @Column(name = "patient_value")
    public String patientValue;
    @Column(name = "patient_reference")
    public String patientReference;
    @Column(name = "date_time")
    public Instant dateTime;
    @Column(name = "last_updated")
    public Instant lastUpdated;
}
