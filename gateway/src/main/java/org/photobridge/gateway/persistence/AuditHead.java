package org.photobridge.gateway.persistence;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The last entry of the audit chain; its row lock orders concurrent writers. */
@Entity
@Table(name = "audit_head")
public class AuditHead {
    @Id
    public int id;
    public long sequence;
    public String hash;
}
