package org.photobridge.gateway.intake;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.photobridge.gateway.intake.Uploads.PLASTICS;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Orthanc;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.photobridge.gateway.testing.TestDatabase;
import io.restassured.response.Response;

/** The same core path with PostgreSQL as the database, checked in PostgreSQL itself. */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class PostgresPersistenceTest {

    @Test
    void photosStudiesAndOutboxLiveInPostgresql() throws SQLException {
        String mrn = "MRN-PG-" + UUID.randomUUID();
        String metadata = Uploads.metadata(mrn, "ENC-PG");
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        Response accepted = Uploads.upload(PLASTICS, jpeg, "pg.jpg", metadata);
        accepted.then().statusCode(202);
        String id = accepted.path("id");
        Uploads.awaitStatus(PLASTICS, id, "STORED");
        Uploads.upload(PLASTICS, jpeg, "pg.jpg", metadata).then().statusCode(200).body("id", equalTo(id));
        assertEquals(1, Orthanc.instancesWithSopUid(accepted.path("sopInstanceUid")).size());

        try (var connection = DriverManager.getConnection(TestDatabase.JDBC_URL, "photobridge", "");
                var query = connection.prepareStatement("""
                        select p.sop_instance_uid, s.study_instance_uid,
                               (select count(*) from work_item d where d.photo_id = p.id and d.kind = 'PACS_DELIVERY' and d.status = 'DONE')
                        from photo p join encounter_study s on s.id = p.study_id where s.patient_value = ?""")) {
            query.setString(1, mrn);
            try (var rows = query.executeQuery()) {
                rows.next();
                assertEquals(accepted.path("sopInstanceUid"), rows.getString(1));
                assertEquals(accepted.path("studyInstanceUid"), rows.getString(2));
                assertEquals(2, rows.getInt(3), "one stored delivery per destination");
                assertEquals(false, rows.next(), "idempotent upload made no second row");
            }
        }
    }
}
