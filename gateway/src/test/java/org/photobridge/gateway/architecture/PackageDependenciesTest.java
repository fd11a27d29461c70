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
 * cycle. Also holds the few rules the map states outright.
 */
class PackageDependenciesTest {
    private static final String BASE = "org.photobridge.gateway";
    private static final Path SOURCES = Path.of("src/main/java/org/photobridge/gateway");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?" + Pattern.quote(BASE)
            + "\\.([a-z][a-z0-9_.]*?)\\.[A-Z]", Pattern.MULTILINE);

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
