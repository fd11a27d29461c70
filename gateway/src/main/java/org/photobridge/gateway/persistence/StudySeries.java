package org.photobridge.gateway.persistence;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A series within an encounter's study: one per department and body site. */
@Entity
@Table(name = "study_series")
public class StudySeries {
    @Id
    public UUID id;
    @Column(name = "study_id")
    public UUID studyId;
    public String department;
    @Column(name = "body_site_code")
    public String bodySiteCode;
    @Column(name = "series_instance_uid")
    public String seriesInstanceUid;
    @Column(name = "series_number")
    public int seriesNumber;
    /** Photos in the series so far; the next photo's Instance Number is this plus one. */
    @Column(name = "instance_count")
    public int instanceCount;
}
