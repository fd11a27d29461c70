package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One break-the-glass grant: who may view which photo until when, and why. Never changed once written. */
@Entity
@Table(name = "break_glass_grant")
public class BreakGlassGrant {
    @Id
    public UUID id;
    @Column(name = "photo_id")
    public UUID photoId;
    public String subject;
    public String username;
    public String reason;
    @Column(name = "granted_at")
    public Instant grantedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;

    public boolean activeAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
