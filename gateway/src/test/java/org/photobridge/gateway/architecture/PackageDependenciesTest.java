package org.photobridge.gateway.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The gateway's packages import each other one way only (docs/architecture.md has the map): read
 * from the sources, every import of another gateway package is an edge, and the graph must have no
 * cycle. Also holds the few rules the map states outright, among them that only {@code persistence}
 * speaks to the database.
 */
class PackageDependenciesTest {
    private static final String BASE = "org.photobridge.gateway";
    private static final Path SOURCES = Path.of("src/main/java/org/photobridge/gateway");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?" + Pattern.quote(BASE)
            + "\\.([a-z][a-z0-9_.]*?)\\.[A-Z]", Pattern.MULTILINE);
    /** Hibernate, JPA and Panache, imported or named in full. */
    private static final Pattern DATABASE_API = Pattern.compile(
            "\\b(?:org\\.hibernate|jakarta\\.persistence|io\\.quarkus\\.hibernate)\\.[A-Za-z0-9_.*]*[A-Za-z0-9_*]");
    /** A query made by hand: createQuery, createNativeQuery, createSelectionQuery, createMutationQuery, ... */
    private static final Pattern QUERY_CALL = Pattern.compile("\\bcreate[A-Za-z]*Query\\s*\\(");
    /**
     * Uses of the database API outside {@code persistence} that are known and owned elsewhere, by
     * file: PhotoIntake tells a lost unique-constraint race from other commit failures by
     * {@code PersistenceException}. Each goes when its owner changes that code; none may be added.
     */
    private static final Map<String, Set<String>> TOLERATED = Map.of(
            "intake/PhotoIntake.java", Set.of("jakarta.persistence.PersistenceException"));

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                String source = Files.readString(file);
                Set<String> edges = graph.computeIfAbsent(from.isEmpty() ? "(root)" : from, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        edges.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    @Test
    void theSourcesAreWhereThisTestLooks() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertTrue(graph.keySet().containsAll(List.of("outbox", "routing", "pacs", "consent", "ehr", "persistence")),
                "packages found: " + graph.keySet());
        assertTrue(graph.get("consent").contains("outbox"), "the import scan finds edges: " + graph);
    }

    @Test
    void packagesHaveNoCycles() throws IOException {
        Map<String, Set<String>> graph = graph();
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            findCycle(graph, start).ifPresent(cycle -> cycles.add(String.join(" -> ", cycle)));
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    @Test
    void theWorkQueueKnowsNoKindOfWork() throws IOException {
        // Handlers live with their domain; the queue itself depends on the database only.
        assertEquals(Set.of("persistence"), graph().get("outbox"));
    }

    @Test
    void thePacsSideKnowsNothingOfTheWorkQueueNorOfTheDoorsAboveIt() throws IOException {
        // pacs speaks DIMSE and DICOMweb to a PACS; routing (the work handlers) uses it, never the reverse.
        Set<String> above = Set.of("routing", "intake", "viewer", "dicomweb", "consent", "ehr", "outbox");
        Set<String> imported = new TreeSet<>(graph().get("pacs"));
        imported.retainAll(above);
        assertEquals(Set.of(), imported, "pacs imports " + graph().get("pacs"));
    }

    @Test
    void theFhirAndEhrSidesDoNotReachIntoThePhotoViewer() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertTrue(!graph.get("ehr").contains("viewer") && !graph.get("fhir").contains("viewer"), graph.toString());
    }

    @Test
    void tlsServesThePacsAndTheEhrWithoutTyingThemTogether() throws IOException {
        // One TLS policy for every outbound connection, in a package of its own: the EHR side uses it
        // without importing the PACS side, and tls itself knows neither.
        Map<String, Set<String>> graph = graph();
        assertTrue(!graph.get("ehr").contains("pacs"), "ehr imports " + graph.get("ehr"));
        Set<String> tlsImports = new TreeSet<>(graph.get("tls"));
        tlsImports.retainAll(Set.of("pacs", "ehr", "audit", "routing", "outbox"));
        assertEquals(Set.of(), tlsImports, "tls imports " + graph.get("tls"));
    }

    /** Every use of the database API or a hand-made query in a main source outside {@code persistence}. */
    static List<String> databaseUsesOutsidePersistence() throws IOException {
        List<String> uses = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String relative = SOURCES.relativize(file).toString().replace('\\', '/');
                if (relative.startsWith("persistence/")) {
                    continue;
                }
                uses.addAll(databaseUses(relative, Files.readString(file)));
            }
        }
        return uses;
    }

    /** The uses of the database API and hand-made queries in one source, less the tolerated ones. */
    static List<String> databaseUses(String relative, String source) {
        List<String> uses = new ArrayList<>();
        Set<String> tolerated = TOLERATED.getOrDefault(relative, Set.of());
        Matcher api = DATABASE_API.matcher(source);
        while (api.find()) {
            if (!tolerated.contains(api.group())) {
                uses.add(relative + ": " + api.group());
            }
        }
        Matcher query = QUERY_CALL.matcher(source);
        while (query.find()) {
            uses.add(relative + ": " + query.group().replaceAll("\\s", ""));
        }
        return uses;
    }

    @Test
    void onlyPersistenceSpeaksToTheDatabase() throws IOException {
        // Entities, repositories and every query live in persistence; the rest calls its repositories.
        assertEquals(List.of(), databaseUsesOutsidePersistence(),
                "Hibernate, JPA, Panache or a hand-made query outside persistence");
    }

    @Test
    void theDatabaseScanFindsWhatItLooksFor() {
        String source = """
                import org.hibernate.Session;
                import jakarta.persistence.*;
                import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
                class Leak {
                    Object q(jakarta.persistence.EntityManager em) {
                        return em.createNativeQuery("select 1") != null ? em.createQuery ("from X") : null;
                    }
                }
                """;
        assertEquals(List.of("consent/Leak.java: org.hibernate.Session", "consent/Leak.java: jakarta.persistence.*",
                "consent/Leak.java: io.quarkus.hibernate.orm.panache.PanacheRepositoryBase",
                "consent/Leak.java: jakarta.persistence.EntityManager", "consent/Leak.java: createNativeQuery(",
                "consent/Leak.java: createQuery("), databaseUses("consent/Leak.java", source));
        assertEquals(List.of(), databaseUses("intake/PhotoIntake.java",
                "import jakarta.persistence.PersistenceException;"), "a tolerated use");
        assertEquals(List.of("intake/PhotoIntake.java: org.hibernate.Session"),
                databaseUses("intake/PhotoIntake.java", "import org.hibernate.Session;"), "only what is tolerated");
    }

    /** A path from {@code start} back to itself, if there is one. */
    private static java.util.Optional<List<String>> findCycle(Map<String, Set<String>> graph, String start) {
        Deque<List<String>> paths = new ArrayDeque<>();
        paths.push(List.of(start));
        Set<String> seen = new TreeSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.pop();
            String last = path.get(path.size() - 1);
            for (String next : graph.getOrDefault(last, Set.of())) {
                if (next.equals(start)) {
                    List<String> cycle = new ArrayList<>(path);
                    cycle.add(start);
                    return java.util.Optional.of(cycle);
                }
                if (seen.add(next)) {
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    paths.push(longer);
                }
            }
        }
        return java.util.Optional.empty();
    }
}
