package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One accepted photo: its UIDs, who may see it, and where its encrypted DICOM bytes are until every
 * destination has confirmed. Patient name and birth date live only inside the encrypted object.
 */
@Entity
@Table(name = "photo")
public class PhotoRecord {
    @Id
    public UUID id;
    @Column(name = "study_id")
    public UUID studyId;
    @Column(name = "series_id")
    public UUID seriesId;
    @Column(name = "sop_class_uid")
    public String sopClassUid;
    @Column(name = "sop_instance_uid")
    public String sopInstanceUid;
    @Column(name = "instance_number")
    public int instanceNumber;
    @Column(name = "source_sha256")
    public String sourceSha256;
    @Column(name = "source_format")
    public String sourceFormat;
    @Column(name = "transfer_syntax_uid")
    public String transferSyntaxUid;
    public String department;
    /** Comma-separated access tags; tags are slugs and cannot contain commas. */
    @Column(name = "access_tags")
    public String accessTags;
    @Column(name = "body_site_code")
    public String bodySiteCode;
    @Column(name = "body_site_display")
    public String bodySiteDisplay;
    public String laterality;
    @Column(name = "view_code")
    public String viewCode;
    @Column(name = "protocol_code")
    public String protocolCode;
    @Column(name = "taken_at")
    public Instant takenAt;
    @Column(name = "uploaded_by")
    public String uploadedBy;
    @Column(name = "created_at")
    public Instant createdAt;
    /** Name of the encrypted blob in the store; null once purged. */
    @Column(name = "blob_key")
    public String blobKey;
    @Column(name = "blob_bytes")
    public Long blobBytes;
    @Column(name = "purged_at")
    public Instant purgedAt;
    /** When consent covering clinical care was withdrawn; the photo is no longer served. */
    @Column(name = "withdrawn_at")
    public Instant withdrawnAt;
    /** Accepted under capture policy "warn" without a covering consent. */
    @Column(name = "consent_warning")
    public boolean consentWarning;

    public List<String> accessTagList() {
        return accessTags.isEmpty() ? List.of() : Arrays.asList(accessTags.split(","));
    }
}
