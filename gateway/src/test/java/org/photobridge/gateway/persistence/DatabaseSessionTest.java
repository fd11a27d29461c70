package org.photobridge.gateway.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.TestStack;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the gateway's own PostgreSQL sessions are set up with, asked of a connection from its pool on
 * the real server (docs/performance.md, "the purge's table scan").
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class DatabaseSessionTest {
    @Inject
    AgroalDataSource dataSource;

    /** The server's default is on; the gateway's sessions must not pay for LLVM compilation. */
    @Test
    void sessionsRunWithoutJit() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            assertEquals(List.of("off"), column(statement.executeQuery("show jit")));
        }
    }

    /**
     * The gateway's statements read a page or a few rows in index order; parallel workers only cost their
     * start-up (40 ms on a busy machine), and a setting per session spares every page a statement.
     */
    @Test
    void sessionsRunWithoutParallelWorkers() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            assertEquals(List.of("0"), column(statement.executeQuery("show max_parallel_workers_per_gather")));
        }
    }

    /**
     * The purge looks for photos still holding bytes through an index of only those photos (V12), not
     * through the whole table. The plan's effect is measured by the benchmark on 200,000 photos; here,
     * that the migration made the index with its predicate.
     */
    @Test
    void photosHoldingBytesAreFoundThroughTheirOwnIndex() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            List<String> definition = column(statement.executeQuery(
                    "select indexdef from pg_indexes where indexname = 'ix_photo_holding_bytes'"));
            assertEquals(1, definition.size(), "the index exists");
            assertTrue(definition.get(0).endsWith("(id) WHERE (blob_key IS NOT NULL)"), definition.get(0));
        }
    }

    private static List<String> column(ResultSet rows) throws SQLException {
        var values = new ArrayList<String>();
        try (rows) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
