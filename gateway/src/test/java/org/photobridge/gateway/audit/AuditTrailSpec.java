package org.photobridge.gateway.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import io.quarkus.narayana.jta.QuarkusTransaction;

import org.hibernate.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditQuery;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.persistence.AuditEntry;
import org.photobridge.gateway.testing.Keycloak;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.response.Response;

/**
 * What the audit trail must withstand, run against each database the gateway supports: someone who can
 * write the database edits, deletes, reorders or truncates entries (with the append-only trigger out of
 * the way) and verification names the first entry that is wrong. Each scenario puts the trail back
 * exactly as it was and checks that it verifies again.
 */
abstract class AuditTrailSpec {
    static final AuditLog.Agent SURGEON = new AuditLog.Agent("subject-tamper", "plastics.surgeon",
            Set.of("clinician"));

    @Inject
    AuditLog audit;

    @Inject
    ChainVerifier verifier;

    @Inject
    AuditConfig config;

    @Inject
    Session session;

    @TempDir
    Path temp;

    /** How this database is tampered with behind the gateway's back. */
    abstract Tampering tampering();

    /** Whether the database refuses TRUNCATE of the audit table too (PostgreSQL; H2 fires no trigger). */
    abstract boolean refusesTruncate();

    List<AuditRecord> write(int count) {
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-TAMPER-" + UUID.randomUUID()));
        var records = new ArrayList<AuditRecord>();
        for (int i = 0; i < count; i++) {
            records.add(audit.record(AuditAction.PHOTO_VIEWED, true, SURGEON, patient,
                    List.of("ImagingStudy/" + i), "thumbnail served " + i));
        }
        return records;
    }

    /**
     * Writes {@code count} entries, signs a checkpoint of the head, runs {@code attack} with no background
     * check in between, and puts every entry from the first written one back as it was.
     */
    void scenario(int count, Consumer<List<AuditRecord>> attack) {
        verifier.exclusively(() -> {
            List<AuditRecord> written = write(count);
            assertTrue(verifier.verifyAndCheckpoint(false).intact(), "the trail verifies before the attack");
            TrailSnapshot snapshot = TrailSnapshot.from(tampering(), written.get(0).sequence());
            try {
                attack.accept(written);
            } finally {
                snapshot.restore();
            }
            AuditVerification restored = verifier.verifyFully();
            assertTrue(restored.intact(), "restored: " + restored.describe());
            return null;
        });
    }

    void deleteEntry(long sequence) {
        tampering().tamper(c -> Tampering.execute(c, "delete from audit_entry where sequence = ?", sequence));
    }

    void assertBroken(AuditVerification result, long sequence, AuditBreak reason) {
        assertFalse(result.intact(), "tampering goes unnoticed");
        assertEquals(Optional.of(reason), result.reason(), result.describe());
        assertEquals(Optional.of(sequence), result.firstBrokenSequence(), result.describe());
    }

    @Test
    void untouchedTrailVerifiesWithEveryEntryCounted() {
        List<AuditRecord> written = write(3);
        AuditVerification result = audit.verify();
        assertTrue(result.intact(), result.describe());
        assertEquals(Optional.empty(), result.firstBrokenSequence());
        assertEquals(Optional.empty(), result.reason());
        assertTrue(result.headSequence() >= written.get(2).sequence());
        assertEquals(result.headSequence(), result.entries(), "sequences run from 1 without a gap");
        assertEquals(tampering().count(), result.entries(), "every entry in the table is counted");
        assertEquals(0, result.legacyEntries(), "a trail begun after V3 has no legacy segment");
        assertTrue(result.full());
    }

    @Test
    void anEntryTheHeadDoesNotCoverIsFoundAfterTheHead() {
        // The head set back by one: the last entry stands beyond any head, as a forged append would.
        scenario(3, written -> {
            AuditRecord second = written.get(1);
            tampering().tamper(c -> Tampering.setHead(c, second.sequence(), second.hash()));
            assertBroken(verifier.verifyFully(), written.get(2).sequence(), AuditBreak.HEAD_MISMATCH);
        });
    }

    @Test
    void entriesAppendedWhileTheTrailIsVerifiedAreNoTampering() throws Exception {
        write(1);
        var appender = Executors.newSingleThreadExecutor();
        try {
            var appending = appender.submit(() -> write(150));
            int verifications = 0;
            while (!appending.isDone() || verifications == 0) {
                AuditVerification result = verifier.verifyFully();
                assertTrue(result.intact(), "verified while entries were appended: " + result.describe());
                verifications++;
            }
            appending.get();
            assertTrue(verifications > 1, "verification ran while entries were being appended");
        } finally {
            // Let the appender finish even when an assertion failed, so the next test starts quiet.
            appender.shutdown();
            assertTrue(appender.awaitTermination(2, TimeUnit.MINUTES), "the appender finished");
        }
    }

    /**
     * Entries from {@code threads} concurrent callers, {@code each} apiece: most without a transaction
     * (the group-committing writer links them), every fourth inside a transaction of its own (linked
     * there, under the head's lock); ordered by sequence.
     */
    List<AuditRecord> writeConcurrently(int threads, int each) {
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-CONCURRENT-" + UUID.randomUUID()));
        var pool = Executors.newFixedThreadPool(threads);
        try {
            var futures = new ArrayList<java.util.concurrent.Future<List<AuditRecord>>>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    var mine = new ArrayList<AuditRecord>();
                    for (int i = 0; i < each; i++) {
                        String detail = "search served " + thread + "/" + i;
                        if (i % 4 == 3) {
                            mine.add(QuarkusTransaction.requiringNew().call(() -> audit.record(AuditAction.PATIENT_QUERY,
                                    true, SURGEON, patient, List.of("Consent/" + thread), detail)));
                        } else {
                            mine.add(audit.record(AuditAction.PATIENT_QUERY, true, SURGEON, patient,
                                    List.of("Consent/" + thread), detail));
                        }
                    }
                    return mine;
                }));
            }
            var all = new ArrayList<AuditRecord>();
            for (var future : futures) {
                all.addAll(future.get(2, TimeUnit.MINUTES));
            }
            all.sort(java.util.Comparator.comparingLong(AuditRecord::sequence));
            return all;
        } catch (Exception e) {
            throw new AssertionError("concurrent appends failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAppendsFormOneChainInWhichReorderingAndTruncationAreStillFound() {
        verifier.exclusively(() -> {
            List<AuditRecord> written = writeConcurrently(8, 12);
            for (int i = 1; i < written.size(); i++) {
                // Other tests' entries may interleave; ours never share a sequence number.
                assertTrue(written.get(i).sequence() > written.get(i - 1).sequence(), "one sequence number per entry");
            }
            assertEquals(96, written.stream().map(AuditRecord::id).distinct().count(), "every entry written once");
            AuditVerification before = verifier.verifyAndCheckpoint(false);
            assertTrue(before.intact(), before.describe());
            assertEquals(before.headSequence(), before.entries(), "sequences run from 1 without a gap");
            assertEquals(tampering().count(), before.entries(), "every entry in the table is counted");
            TrailSnapshot snapshot = TrailSnapshot.from(tampering(), written.get(0).sequence());
            try {
                long first = written.get(10).sequence();
                long later = written.get(50).sequence();
                tampering().tamper(c -> {
                    Tampering.execute(c, "update audit_entry set sequence = -1 where sequence = ?", first);
                    Tampering.execute(c, "update audit_entry set sequence = ? where sequence = ?", first, later);
                    Tampering.execute(c, "update audit_entry set sequence = ? where sequence = -1", later);
                });
                assertBroken(audit.verify(), first, AuditBreak.ENTRY_ALTERED);
            } finally {
                snapshot.restore();
            }
            assertTrue(verifier.verifyFully().intact(), "restored");
            try {
                AuditRecord keep = written.get(60);
                tampering().tamper(c -> {
                    Tampering.execute(c, "delete from audit_entry where sequence > ?", keep.sequence());
                    Tampering.setHead(c, keep.sequence(), keep.hash());
                });
                assertBroken(audit.verify(), keep.sequence() + 1, AuditBreak.TRUNCATED);
            } finally {
                snapshot.restore();
            }
            AuditVerification restored = verifier.verifyFully();
            assertTrue(restored.intact(), "restored: " + restored.describe());
            return null;
        });
    }

    @Test
    void anEntryOfARolledBackTransactionIsNotWrittenAndLeavesTheChainWhole() {
        long headBefore = audit.verify().headSequence();
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-ROLLBACK-" + UUID.randomUUID()));
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            audit.record(AuditAction.CONSENT_UPDATED, true, SURGEON, patient, List.of("Consent/x"), "change");
            throw new IllegalStateException("the audited change failed");
        }));
        assertEquals(0, audit.search(new AuditQuery(patient, Optional.empty(), Optional.empty(), DateRange.ANY,
                Set.of()), 0, 10).total().orElseThrow(), "the entry went with the change it audited");
        AuditRecord next = write(1).get(0);
        AuditVerification result = audit.verify();
        assertTrue(result.intact(), result.describe());
        assertTrue(next.sequence() > headBefore);
    }

    @Test
    void editedEntryIsFoundAtThatEntry() {
        scenario(3, written -> {
            long edited = written.get(1).sequence();
            tampering().tamper(c -> Tampering.execute(c,
                    "update audit_entry set detail = 'nothing to see' where sequence = ?", edited));
            assertBroken(audit.verify(), edited, AuditBreak.ENTRY_ALTERED);
        });
    }

    @Test
    void deletedMiddleEntryIsFoundWhereItIsMissing() {
        scenario(3, written -> {
            long deleted = written.get(1).sequence();
            deleteEntry(deleted);
            assertBroken(audit.verify(), deleted, AuditBreak.ENTRY_MISSING);
        });
    }

    @Test
    void aVerifiedEntryDeletedIsFoundByTheNextCountingCheckNotByACheckpointForNewEntries() {
        scenario(5, written -> {
            long deleted = written.get(1).sequence();
            deleteEntry(deleted);
            // The checkpoint asked for by entries written does not count the trail again within a
            // checkpoint-interval (an hour in this profile): the deletion waits for the next count.
            AuditVerification uncounted = verifier.checkpointNewEntries();
            assertTrue(uncounted.intact(), uncounted.describe());
            assertFalse(uncounted.full(), "only entries after the verified head were read");
            AuditVerification counted = verifier.verifyAndCheckpoint(false);
            assertBroken(counted, deleted, AuditBreak.ENTRY_MISSING);
            assertTrue(counted.full(), "the count's doubt is settled by a full verification");
            assertEquals(tampering().count(), counted.entries(), "a broken trail's entries are counted in the table");
        });
    }

    @Test
    void aVerifiedEntryDeletedIsFoundByAnIncrementalVerification() {
        scenario(3, written -> {
            long first = written.get(0).sequence();
            deleteEntry(first);
            assertBroken(verifier.verifyIncrementally(), first, AuditBreak.ENTRY_MISSING);
        });
    }

    @Test
    void swappedEntriesAreFoundAtTheFirstOfThem() {
        scenario(3, written -> {
            long first = written.get(0).sequence();
            long third = written.get(2).sequence();
            tampering().tamper(c -> {
                Tampering.execute(c, "update audit_entry set sequence = -1 where sequence = ?", first);
                Tampering.execute(c, "update audit_entry set sequence = ? where sequence = ?", first, third);
                Tampering.execute(c, "update audit_entry set sequence = ? where sequence = -1", third);
            });
            assertBroken(audit.verify(), first, AuditBreak.ENTRY_ALTERED);
        });
    }

    @Test
    void truncationWithTheHeadSetBackIsFoundByTheCheckpoint() {
        scenario(5, written -> {
            AuditRecord keep = written.get(2);
            tampering().tamper(c -> {
                Tampering.execute(c, "delete from audit_entry where sequence > ?", keep.sequence());
                Tampering.setHead(c, keep.sequence(), keep.hash());
            });
            AuditVerification result = audit.verify();
            assertBroken(result, keep.sequence() + 1, AuditBreak.TRUNCATED);
            assertEquals(written.get(4).sequence(), result.checkpoint().orElseThrow().sequence());
            assertEquals(keep.sequence(), result.headSequence());
        });
    }

    @Test
    void truncationWithoutFixingTheHeadIsFoundWhereEntriesAreMissing() {
        scenario(3, written -> {
            long first = written.get(1).sequence();
            tampering().tamper(c -> Tampering.execute(c, "delete from audit_entry where sequence >= ?", first));
            assertBroken(audit.verify(), first, AuditBreak.ENTRY_MISSING);
        });
    }

    static void editDetail(AuditEntry entry, long edited) {
        if (entry.sequence == edited) {
            entry.detail = "nothing to see";
        }
    }

    /** An attacker without the key recomputes the chain from the edited entry on, the way V2 chained. */
    @Test
    void editRecomputedWithTheUnkeyedHashIsFound() {
        scenario(3, written -> {
            long edited = written.get(1).sequence();
            tampering().rechain(edited, e -> editDetail(e, edited), ChainScheme::legacyHash);
            assertBroken(audit.verify(), edited, AuditBreak.ENTRY_ALTERED);
        });
    }

    @Test
    void editRecomputedWithAGuessedKeyIsFound() {
        AuditKeys guessed = AuditKeys.loadOrCreate(temp.resolve("guessed.key"));
        scenario(3, written -> {
            long edited = written.get(1).sequence();
            tampering().rechain(edited, e -> editDetail(e, edited), e -> ChainScheme.HMAC_SHA256.code(e, guessed));
            assertBroken(audit.verify(), edited, AuditBreak.ENTRY_ALTERED);
        });
    }

    @Test
    void editPassedOffAsLegacyEntriesIsFound() {
        scenario(3, written -> {
            long edited = written.get(1).sequence();
            tampering().rechain(edited, e -> {
                editDetail(e, edited);
                e.scheme = ChainScheme.LEGACY_SHA256.column;
            }, ChainScheme::legacyHash);
            assertBroken(audit.verify(), edited, AuditBreak.LEGACY_AFTER_KEYED);
        });
    }

    @Test
    void incrementalVerificationRechecksOnlyNewEntriesAndLocatesABreakFully() {
        scenario(2, written -> {
            AuditVerification quiet = verifier.verifyIncrementally();
            assertTrue(quiet.intact());
            assertFalse(quiet.full(), "nothing new: no full re-hash");
            List<AuditRecord> more = write(3);
            AuditVerification added = verifier.verifyIncrementally();
            assertTrue(added.intact());
            assertFalse(added.full(), "only the 3 new entries were recomputed");
            assertEquals(more.get(2).sequence(), added.headSequence());

            AuditRecord edited = write(2).get(0);
            tampering().tamper(c -> Tampering.execute(c,
                    "update audit_entry set detail = 'nothing to see' where sequence = ?", edited.sequence()));
            try {
                AuditVerification result = verifier.verifyIncrementally();
                assertBroken(result, edited.sequence(), AuditBreak.ENTRY_ALTERED);
                assertTrue(result.full(), "a doubt is settled by a full verification");
            } finally {
                // Written after the scenario saved the trail: put back here.
                tampering().tamper(c -> {
                    try (var update = c.prepareStatement("update audit_entry set detail = ? where sequence = ?")) {
                        update.setString(1, edited.detail());
                        update.setLong(2, edited.sequence());
                        update.executeUpdate();
                    }
                });
            }
        });
    }

    @Test
    void appendOnlyTriggerRefusesUpdateAndDeleteByTheGateway() {
        long sequence = write(1).get(0).sequence();
        var update = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() -> session
                .createNativeMutationQuery("update audit_entry set detail = 'x' where sequence = :s")
                .setParameter("s", sequence).executeUpdate()));
        assertTrue(causes(update).contains("append-only"), causes(update));
        var delete = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() -> session
                .createNativeMutationQuery("delete from audit_entry where sequence = :s")
                .setParameter("s", sequence).executeUpdate()));
        assertTrue(causes(delete).contains("append-only"), causes(delete));
        if (refusesTruncate()) {
            var truncate = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(
                    () -> session.createNativeMutationQuery("truncate table audit_entry").executeUpdate()));
            assertTrue(causes(truncate).contains("append-only"), causes(truncate));
        }
        assertTrue(audit.verify().intact());
    }

    static String causes(Throwable e) {
        var messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" / ");
        }
        return messages.toString();
    }

    @Test
    void checkpointsAreSignedLinesInAPrivateDirectoryThatOtherToolsCanVerify() throws Exception {
        AuditRecord last = verifier.exclusively(() -> {
            AuditRecord written = write(1).get(0);
            assertTrue(verifier.verifyAndCheckpoint(false).intact());
            return written;
        });
        AuditCheckpoint checkpoint = audit.latestCheckpoint().orElseThrow();
        assertTrue(checkpoint.sequence() >= last.sequence());
        Path directory = config.checkpointDirectory().toAbsolutePath();
        Path file = directory.resolve(CheckpointFile.FILE_NAME);
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.contains(checkpoint.text()), "the newest checkpoint is a line of the file");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        // Anyone with the published public key can check a checkpoint, with nothing of the gateway's code.
        String pem = Files.readString(directory.resolve(CheckpointFile.VERIFY_KEY_NAME));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        var verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
        String line = checkpoint.text();
        verifier.update(line.substring(0, line.indexOf(" signature=")).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getDecoder().decode(line.substring(line.indexOf(" signature=") + 11))));
    }

    @Test
    void aForgedCheckpointLineIsFound() throws IOException {
        Path file = config.checkpointDirectory().toAbsolutePath().resolve(CheckpointFile.FILE_NAME);
        verifier.exclusively(() -> {
            write(1);
            assertTrue(verifier.verifyAndCheckpoint(false).intact());
            AuditCheckpoint genuine = audit.latestCheckpoint().orElseThrow();
            long size = size(file);
            // A checkpoint that claims an older head, as someone hiding a truncation would write it.
            String forged = genuine.text().replace(" sequence=" + genuine.sequence() + " ", " sequence=1 ");
            try {
                Files.writeString(file, forged + "\n", StandardOpenOption.APPEND);
                AuditVerification result = audit.verify();
                assertFalse(result.intact());
                assertEquals(Optional.of(AuditBreak.CHECKPOINT_FORGED), result.reason());
                assertEquals(Optional.empty(), result.firstBrokenSequence(), "no entry is at fault");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            assertTrue(audit.verify().intact());
            return null;
        });
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void verificationEndpointIsForComplianceOfficersAndIsItselfAudited() {
        given().get("/api/v1/audit/verification").then().statusCode(401);
        given().auth().oauth2(Keycloak.token("derm.photographer")).get("/api/v1/audit/verification").then()
                .statusCode(403);
        Instant before = Instant.now().minusSeconds(1);
        AuditVerification expected = audit.verify();
        Response response = given().auth().oauth2(Keycloak.token("compliance.officer"))
                .get("/api/v1/audit/verification");
        response.then().statusCode(200).contentType("application/json")
                .header("Cache-Control", "no-store")
                .body("intact", equalTo(true))
                .body("firstBrokenSequence", nullValue())
                .body("reason", nullValue());
        assertEquals(expected.entries(), response.jsonPath().getLong("entries"));
        assertEquals(expected.headSequence(), response.jsonPath().getLong("headSequence"));
        assertFalse(Instant.parse(response.path("checkedAt")).isBefore(before));

        var used = audit.search(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                new DateRange(Optional.of(before), Optional.empty()), Set.of(AuditAction.AUDIT_LOG_USED)), 0, 1);
        assertEquals(1, used.total().orElseThrow(), "reading the verification is an audited use of the audit log");
        assertEquals("compliance.officer", used.items().get(0).agentName());
        assertTrue(used.items().get(0).agentRoles().contains("compliance-officer"));
    }

    @Test
    void verificationEndpointNamesTheFirstBrokenEntry() {
        scenario(2, written -> {
            long edited = written.get(0).sequence();
            tampering().tamper(c -> Tampering.execute(c,
                    "update audit_entry set detail = 'nothing to see' where sequence = ?", edited));
            audit.verify();
            Response response = given().auth().oauth2(Keycloak.token("compliance.officer"))
                    .get("/api/v1/audit/verification");
            response.then().statusCode(200)
                    .body("intact", equalTo(false))
                    .body("reason", equalTo("ENTRY_ALTERED"));
            assertEquals(edited, response.jsonPath().getLong("firstBrokenSequence"));
            assertEquals(AuditBreak.ENTRY_ALTERED.describe(edited), response.path("detail"));
        });
    }
}
