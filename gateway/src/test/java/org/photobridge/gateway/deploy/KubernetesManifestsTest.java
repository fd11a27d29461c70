package org.photobridge.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks the manifests in {@code deploy/kubernetes} against the application they run: port, health
 * paths, configuration keys, secrets, selectors, resources and the writable directories. A plain unit
 * test: it reads the manifests, application.properties, the gateway's sources and docs/operations.md.
 */
class KubernetesManifestsTest {
    private static final Pattern ENV_UNSAFE = Pattern.compile("[^A-Za-z0-9]");
    private static final Pattern HEALTH_CHECK_KEY = Pattern.compile(
            "quarkus\\.smallrye-health\\.check\\.\"([^\"]+)\"\\.enabled");
    private static final Pattern SECRET_LIKE = Pattern.compile("(?i).*(password|secret|bearer-token|token|credential).*");
    private static final Set<String> DATABASE_KEYS = Set.of("photobridge.db.url", "photobridge.db.username",
            "photobridge.db.password");

    private static Path root;
    private static Map<Path, List<Map<String, Object>>> manifests;
    private static Properties application;
    private static Properties podConfig;
    private static Map<String, Object> gatewaySet;

    @BeforeAll
    static void load() throws IOException {
        root = repositoryRoot();
        manifests = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("deploy/kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                manifests.put(file, parse(file));
            }
        }
        application = properties(Files.readString(root.resolve("gateway/src/main/resources/application.properties")));
        List<Map<String, Object>> workloads = documents().stream()
                .filter(d -> Set.of("Deployment", "StatefulSet").contains(d.get("kind"))).toList();
        assertEquals(1, workloads.size(), "exactly one gateway workload (Deployment or StatefulSet) in deploy/kubernetes");
        gatewaySet = workloads.get(0);
        podConfig = properties(mountedApplicationProperties());
    }

    @Test
    void everyManifestParsesAndTheKustomizationListsIt() {
        assertFalse(manifests.isEmpty(), "no manifests in deploy/kubernetes");
        Set<String> listed = new TreeSet<>();
        Set<String> files = new TreeSet<>();
        manifests.forEach((file, documents) -> {
            assertFalse(documents.isEmpty(), file + " holds no YAML document");
            for (var document : documents) {
                if ("Kustomization".equals(document.get("kind"))) {
                    listed.addAll(strings(document.get("resources")));
                    continue;
                }
                files.add(file.getFileName().toString());
                assertNotNull(document.get("apiVersion"), file + ": a document without apiVersion");
                assertNotNull(string(map(document, "metadata"), "name"), file + ": a document without metadata.name");
            }
        });
        assertEquals(files, listed, "kustomization.yaml resources must list every manifest in deploy/kubernetes");
    }

    @Test
    void containerListensOnTheApplicationsHttpPortOnEveryInterface() {
        int port = Integer.parseInt(application.getProperty("quarkus.http.port"));
        var http = containerPort(gateway(), "http");
        assertEquals(port, ((Number) http.get("containerPort")).intValue(),
                "containerPort \"http\" must be quarkus.http.port of application.properties");
        assertEquals(String.valueOf(port), configValue("quarkus.http.port").orElse(String.valueOf(port)),
                "the pod's quarkus.http.port must match the container port");
        assertEquals("0.0.0.0", configValue("quarkus.http.host").orElse(application.getProperty("quarkus.http.host")),
                "in a pod the gateway must listen on 0.0.0.0 (quarkus.http.host), or the kubelet and Service cannot reach it");
    }

    @Test
    void probesUseTheSmallRyeHealthPathsTheGatewayServes() throws IOException {
        var container = gateway();
        // The paths below are quarkus-smallrye-health's defaults; the application must not move them.
        assertTrue(Files.readString(root.resolve("gateway/pom.xml")).contains("<artifactId>quarkus-smallrye-health</artifactId>"),
                "the gateway depends on quarkus-smallrye-health");
        for (String moved : List.of("quarkus.http.non-application-root-path", "quarkus.smallrye-health.root-path",
                "quarkus.smallrye-health.liveness-path", "quarkus.smallrye-health.readiness-path",
                "quarkus.smallrye-health.startup-path", "quarkus.management.enabled")) {
            assertFalse(application.containsKey(moved) || podConfig.containsKey(moved),
                    moved + " is set: the health endpoints are no longer at /q/health/*; update the probes");
        }
        assertProbe(container, "livenessProbe", "/q/health/live");
        assertProbe(container, "readinessProbe", "/q/health/ready");
        if (container.containsKey("startupProbe")) {
            assertProbe(container, "startupProbe", "/q/health/started");
        }

        // Readiness must still check something: a readiness check of the gateway the pod config does not
        // disable, or the datasource's own (quarkus-agroal's, on unless quarkus.datasource.health.enabled=false).
        Set<String> readinessChecks = healthChecks("@Readiness");
        Set<String> disabled = new TreeSet<>();
        for (String key : podConfig.stringPropertyNames()) {
            Matcher m = HEALTH_CHECK_KEY.matcher(key);
            if (m.matches()) {
                Set<String> known = healthChecks("@Readiness");
                known.addAll(healthChecks("@Liveness"));
                known.addAll(healthChecks("@Startup"));
                assertTrue(known.contains(m.group(1)), key + " names no health check in gateway/src/main/java "
                        + "(a misspelt class name leaves the check on); checks: " + known);
                if ("false".equals(podConfig.getProperty(key))) {
                    disabled.add(m.group(1));
                }
            }
        }
        boolean datasourceCheck = !"false".equals(configValue("quarkus.datasource.health.enabled")
                .orElse(application.getProperty("quarkus.datasource.health.enabled", "true")));
        readinessChecks.removeAll(disabled);
        assertTrue(datasourceCheck || !readinessChecks.isEmpty(),
                "/q/health/ready would check nothing: every readiness check is disabled in the pod's configuration");
    }

    @Test
    void everyConfigurationKeyTheManifestsSetIsOneTheApplicationKnows() throws IOException {
        Set<String> destinations = new TreeSet<>();
        Pattern destination = Pattern.compile("photobridge\\.destinations\\.([^.]+)\\..+");
        for (String key : podConfig.stringPropertyNames()) {
            Matcher m = destination.matcher(key);
            if (m.matches()) {
                destinations.add(m.group(1));
            }
        }
        Set<String> known = knownKeys(destinations);
        List<String> unknown = new ArrayList<>();
        for (String key : podConfig.stringPropertyNames()) {
            if (!isKnown(key, known)) {
                unknown.add("application.properties of the ConfigMap: " + key);
            }
        }
        for (var container : containers(false)) {
            for (var env : maps(container.get("env"))) {
                String name = string(env, "name");
                Optional<String> key = known.stream().filter(k -> envName(k).equals(name)).findFirst();
                if (key.isEmpty()) {
                    unknown.add("environment variable " + name + " (no known key converts to it by MicroProfile Config rules)");
                } else {
                    assertTrue(!key.get().startsWith("photobridge.db.") || DATABASE_KEYS.contains(key.get()),
                            "the database is configured only by " + DATABASE_KEYS + ", not " + key.get());
                }
            }
        }
        assertEquals(List.of(), unknown, "keys the application does not know (not in application.properties, "
                + "not documented in docs/operations.md)");
        for (String key : podConfig.stringPropertyNames()) {
            assertTrue(!key.startsWith("photobridge.db.") || DATABASE_KEYS.contains(key),
                    "the database is configured only by " + DATABASE_KEYS + ", not " + key);
        }
    }

    @Test
    void secretsAreReferencedNeverInlined() {
        for (var document : documents()) {
            if ("Secret".equals(document.get("kind"))) {
                fail("deploy/kubernetes must not hold Secret " + string(map(document, "metadata"), "name")
                        + ": reference Secrets the operator creates (docs/operations.md)");
            }
        }
        for (String key : podConfig.stringPropertyNames()) {
            assertFalse(SECRET_LIKE.matcher(key).matches() && !key.endsWith("-file"),
                    key + " is a secret and must come from a Secret (secretKeyRef), not the ConfigMap");
        }
        Map<String, String> secretEnv = new LinkedHashMap<>();
        for (var container : containers(false)) {
            for (var env : maps(container.get("env"))) {
                String name = string(env, "name");
                if (SECRET_LIKE.matcher(name.replace('_', '-')).matches()) {
                    assertFalse(env.containsKey("value"), name + " has an inline value; use valueFrom.secretKeyRef");
                    var ref = map(map(env, "valueFrom"), "secretKeyRef");
                    assertNotNull(ref, name + " must come from valueFrom.secretKeyRef");
                    secretEnv.put(name, string(ref, "name"));
                }
            }
        }
        for (String required : List.of("PHOTOBRIDGE_DB_PASSWORD", "QUARKUS_OIDC_CREDENTIALS_SECRET")) {
            assertTrue(secretEnv.containsKey(required), required + " must be set from a Secret");
        }
        // Key files: the file the gateway reads must come from a Secret volume, directly or copied by an
        // init container that mounts both the Secret and the directory the gateway reads.
        for (String keyFileKey : List.of("photobridge.store.key-file", "photobridge.audit.key-file")) {
            String file = configValue(keyFileKey).orElseThrow(() -> new AssertionError(keyFileKey + " is not set"));
            assertTrue(fromSecretVolume(Path.of(file)), keyFileKey + "=" + file + " is not fed from a Secret volume");
        }
    }

    @Test
    void servicesAndDisruptionBudgetSelectTheGatewayPods() {
        Map<String, Object> podLabels = map(map(map(gatewaySet, "spec"), "template"), "metadata");
        Map<String, Object> labels = map(podLabels, "labels");
        assertEquals(labels, map(map(map(gatewaySet, "spec"), "selector"), "matchLabels"),
                "the workload's selector must be its pod labels");
        Set<String> portNames = maps(gateway().get("ports")).stream().map(p -> string(p, "name"))
                .collect(Collectors.toSet());
        List<Map<String, Object>> services = ofKind("Service");
        assertFalse(services.isEmpty(), "no Service");
        for (var service : services) {
            String name = string(map(service, "metadata"), "name");
            assertSubset(map(map(service, "spec"), "selector"), labels, "Service " + name);
            for (var port : maps(map(service, "spec").get("ports"))) {
                Object target = port.get("targetPort");
                assertTrue(target instanceof String && portNames.contains(target),
                        "Service " + name + " must target the container port by name " + portNames + ", not " + target);
            }
        }
        List<Map<String, Object>> budgets = ofKind("PodDisruptionBudget");
        assertEquals(1, budgets.size(), "one PodDisruptionBudget");
        var budget = map(budgets.get(0), "spec");
        assertSubset(map(map(budget, "selector"), "matchLabels"), labels, "PodDisruptionBudget");
        int replicas = ((Number) map(gatewaySet, "spec").get("replicas")).intValue();
        assertTrue(replicas >= 2, "at least two replicas");
        if (budget.containsKey("minAvailable")) {
            assertTrue(((Number) budget.get("minAvailable")).intValue() < replicas,
                    "minAvailable must be below the replica count or no node can ever be drained");
        }
        if ("StatefulSet".equals(gatewaySet.get("kind"))) {
            String governing = string(map(gatewaySet, "spec"), "serviceName");
            var headless = services.stream().filter(s -> governing.equals(string(map(s, "metadata"), "name"))).findFirst();
            assertTrue(headless.isPresent(), "the StatefulSet's serviceName " + governing + " is no Service here");
            assertEquals("None", string(map(headless.get(), "spec"), "clusterIP"), governing + " must be headless");
        }
    }

    @Test
    void containersHaveResourcesAndTheHeapFitsTheMemoryLimit() {
        for (var container : containers(true)) {
            String name = string(container, "name");
            var resources = map(container, "resources");
            assertNotNull(resources, name + ": no resources");
            var requests = map(resources, "requests");
            var limits = map(resources, "limits");
            assertNotNull(requests, name + ": no resource requests");
            assertNotNull(limits, name + ": no resource limits");
            assertNotNull(requests.get("cpu"), name + ": no cpu request");
            assertNotNull(requests.get("memory"), name + ": no memory request");
            assertNotNull(limits.get("memory"), name + ": no memory limit");
            assertTrue(bytes(requests.get("memory")) <= bytes(limits.get("memory")), name + ": memory request above the limit");
        }
        var gateway = gateway();
        long limit = bytes(map(map(gateway, "resources"), "limits").get("memory"));
        List<String> jvm = strings(gateway.get("args"));
        long heap = jvmSize(jvm, "-Xmx").orElseThrow(() -> new AssertionError("the gateway's JVM needs an explicit -Xmx"));
        long metaspace = jvmSize(jvm, "-XX:MaxMetaspaceSize=").orElseThrow(() -> new AssertionError("set -XX:MaxMetaspaceSize"));
        long direct = jvmSize(jvm, "-XX:MaxDirectMemorySize=").orElse(heap);
        jvmSize(jvm, "-Xms").ifPresent(initial -> assertTrue(initial <= heap, "-Xms above -Xmx"));
        // Besides heap, metaspace and direct buffers the JVM needs code cache, thread stacks, GC and
        // malloc arenas: keep a fifth of the limit for them, or the kernel kills the pod before any
        // OutOfMemoryError is thrown.
        assertTrue(heap + metaspace + direct <= limit * 0.8, String.format(Locale.ROOT,
                "-Xmx %d MiB + metaspace %d MiB + direct %d MiB leave too little of the %d MiB limit for the rest of the JVM",
                heap >> 20, metaspace >> 20, direct >> 20, limit >> 20));
        assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"), "an OutOfMemoryError must end the process so the kubelet restarts it");
        // G1 allocates an object of half a region or more as humongous, straight into the old
        // generation, and each such allocation may start a marking cycle: a 12-megapixel upload's
        // array (up to about 6 MB) must fit under half a region (docs/performance.md, "Humongous uploads").
        long region = jvmSize(jvm, "-XX:G1HeapRegionSize=").orElseThrow(
                () -> new AssertionError("set -XX:G1HeapRegionSize (G1 would choose 1 MiB regions for this heap)"));
        assertTrue(region / 2 > 6_000_000L,
                "G1 regions of " + (region >> 20) + " MiB make a 12-megapixel upload humongous");
    }

    @Test
    void podRunsAsNonRootOnAReadOnlyRootWithItsDirectoriesOnVolumes() {
        var pod = map(map(gatewaySet, "spec"), "template");
        var podSpec = map(pod, "spec");
        assertEquals(Boolean.TRUE, map(podSpec, "securityContext").get("runAsNonRoot"), "runAsNonRoot");
        for (var container : containers(true)) {
            String name = string(container, "name");
            var security = map(container, "securityContext");
            assertNotNull(security, name + ": no securityContext");
            assertEquals(Boolean.TRUE, security.get("readOnlyRootFilesystem"), name + ": readOnlyRootFilesystem");
            assertEquals(Boolean.FALSE, security.get("allowPrivilegeEscalation"), name + ": allowPrivilegeEscalation");
            assertEquals(List.of("ALL"), strings(map(security, "capabilities").get("drop")), name + ": drop ALL capabilities");
        }
        var gateway = gateway();
        Map<String, Map<String, Object>> mounts = mountsByPath(gateway);
        Map<String, String> directories = new LinkedHashMap<>();
        for (String key : List.of("photobridge.data.directory", "photobridge.data.work-directory", "photobridge.store.directory")) {
            directories.put(key, configValue(key).orElseThrow(() -> new AssertionError(key + " must be set to a volume")));
        }
        directories.put("java.io.tmpdir", jvmProperty(strings(gateway.get("args")), "java.io.tmpdir").orElse("/tmp"));
        directories.forEach((key, directory) -> {
            Path path = Path.of(directory);
            assertTrue(path.isAbsolute(), key + " must be absolute in the pod, not " + directory);
            var mount = mounts.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                    .max((a, b) -> Integer.compare(a.getKey().length(), b.getKey().length()));
            assertTrue(mount.isPresent(), key + "=" + directory + " is on the read-only root file system");
            assertFalse(Boolean.TRUE.equals(mount.get().getValue().get("readOnly")), key + " is on a read-only mount");
            if (key.startsWith("photobridge.")) {
                // The gateway makes its directories 0700 (store.PrivateDirectories); a mount point is
                // owned by root, so the gateway's user could not change its mode.
                assertFalse(path.equals(Path.of(mount.get().getKey())),
                        key + " must be a directory below the mount point " + directory + ", which the gateway can chmod");
            }
        });
        // The store is shared by every replica: a photo accepted by one may be delivered by another.
        String storeVolume = volumeNameAt(gateway, Path.of(directories.get("photobridge.store.directory")));
        var store = volumes().get(storeVolume);
        assertNotNull(store.get("persistentVolumeClaim"), "the photo store must be a PersistentVolumeClaim shared by all replicas");
        String claim = string(map(store, "persistentVolumeClaim"), "claimName");
        var pvc = ofKind("PersistentVolumeClaim").stream().filter(p -> claim.equals(string(map(p, "metadata"), "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no PersistentVolumeClaim " + claim));
        assertEquals(List.of("ReadWriteMany"), strings(map(pvc, "spec").get("accessModes")), "the shared store is ReadWriteMany");

        // Shutdown: the preStop pause, the HTTP drain and the outbox worker's 30 s must fit the grace period.
        int grace = ((Number) podSpec.get("terminationGracePeriodSeconds")).intValue();
        long drain = seconds(configValue("quarkus.shutdown.timeout").orElse("0s"));
        long preStop = Optional.ofNullable(map(map(map(gateway, "lifecycle"), "preStop"), "exec"))
                .map(exec -> strings(exec.get("command"))).filter(c -> c.size() == 2 && c.get(0).equals("sleep"))
                .map(c -> Long.parseLong(c.get(1))).orElse(0L);
        assertTrue(grace >= preStop + drain + 30 + 10, "terminationGracePeriodSeconds " + grace + " is shorter than preStop "
                + preStop + " s + quarkus.shutdown.timeout " + drain + " s + the outbox's 30 s + 10 s for the rest");
    }

    // ---- the application's keys ----------------------------------------------------------------

    /** Keys in application.properties, keys documented in docs/operations.md (destinations expanded). */
    private static Set<String> knownKeys(Set<String> destinations) throws IOException {
        Set<String> known = new TreeSet<>();
        for (String key : application.stringPropertyNames()) {
            known.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
        }
        String operations = Files.readString(root.resolve("docs/operations.md"));
        Pattern code = Pattern.compile("`([^`]+)`");
        for (String line : operations.split("\n")) {
            Matcher m = code.matcher(line);
            String base = null;
            boolean firstCell = line.startsWith("| `");
            int cellEnd = firstCell ? line.indexOf('|', 1) : line.length();
            while (m.find()) {
                String token = m.group(1);
                if (token.startsWith("photobridge.") || token.startsWith("quarkus.")) {
                    String key = token.split("[=\\s]", 2)[0];
                    base = key;
                    known.add(key);
                } else if (firstCell && base != null && m.start() < cellEnd && token.matches("\\.[a-z0-9-]+")) {
                    // "`photobridge.db.url` / `.username`": a sibling of the key before it.
                    known.add(base.substring(0, base.lastIndexOf('.')) + token);
                }
            }
        }
        Set<String> expanded = new TreeSet<>();
        for (String key : known) {
            if (key.contains("<name>")) {
                destinations.forEach(d -> expanded.add(key.replace("<name>", d)));
            } else {
                expanded.add(key);
            }
        }
        return expanded;
    }

    private static boolean isKnown(String key, Set<String> known) {
        return known.contains(key);
    }

    /** MicroProfile Config: an environment variable matches a key with every non-alphanumeric as _, upper case. */
    private static String envName(String key) {
        return ENV_UNSAFE.matcher(key).replaceAll("_").toUpperCase(Locale.ROOT);
    }

    private static Set<String> healthChecks(String annotation) {
        Path sources = root.resolve("gateway/src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            Set<String> checks = new TreeSet<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                if (text.contains(annotation) && text.contains("implements HealthCheck")) {
                    String relative = sources.relativize(file).toString();
                    checks.add(relative.substring(0, relative.length() - ".java".length()).replace('/', '.'));
                }
            }
            return checks;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the pod --------------------------------------------------------------------------------

    private static Optional<String> configValue(String key) {
        for (var env : maps(gateway().get("env"))) {
            if (envName(key).equals(env.get("name")) && env.containsKey("value")) {
                return Optional.of(String.valueOf(env.get("value")));
            }
        }
        return Optional.ofNullable(podConfig.getProperty(key));
    }

    /** The application.properties the pod reads through QUARKUS_CONFIG_LOCATIONS, from its ConfigMap. */
    private static String mountedApplicationProperties() {
        var gateway = gateway();
        String location = maps(gateway.get("env")).stream()
                .filter(e -> Set.of("QUARKUS_CONFIG_LOCATIONS", "SMALLRYE_CONFIG_LOCATIONS").contains(e.get("name")))
                .map(e -> string(e, "value")).findFirst()
                .orElseThrow(() -> new AssertionError("the gateway container sets no QUARKUS_CONFIG_LOCATIONS"));
        Path file = Path.of(location);
        String volume = volumeNameAt(gateway, file);
        String configMapName = string(map(volumes().get(volume), "configMap"), "name");
        assertNotNull(configMapName, location + " is not on a ConfigMap volume");
        Path mountPath = Path.of(string(mountsByName(gateway).get(volume), "mountPath"));
        String dataKey = mountPath.relativize(file).toString();
        var configMap = ofKind("ConfigMap").stream().filter(c -> configMapName.equals(string(map(c, "metadata"), "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + configMapName));
        String text = string(map(configMap, "data"), dataKey);
        assertNotNull(text, "ConfigMap " + configMapName + " has no " + dataKey);
        return text;
    }

    private static boolean fromSecretVolume(Path file) {
        var gateway = gateway();
        String volume = volumeNameAt(gateway, file);
        var definition = volumes().get(volume);
        if (definition.containsKey("secret")) {
            return true;
        }
        if (!definition.containsKey("emptyDir")) {
            return false;
        }
        String name = file.getFileName().toString();
        var podSpec = map(map(map(gatewaySet, "spec"), "template"), "spec");
        for (var init : maps(podSpec.get("initContainers"))) {
            boolean writesIt = maps(init.get("volumeMounts")).stream().anyMatch(m -> volume.equals(m.get("name")));
            boolean readsSecret = maps(init.get("volumeMounts")).stream().map(m -> volumes().get(string(m, "name")))
                    .filter(v -> v.containsKey("secret"))
                    .anyMatch(v -> maps(map(v, "secret").get("items")).stream().anyMatch(i -> name.equals(i.get("path"))));
            if (writesIt && readsSecret && String.join(" ", strings(init.get("command"))).contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static void assertProbe(Map<String, Object> container, String probe, String path) {
        var get = map(map(container, probe), "httpGet");
        assertNotNull(get, probe + " must be an httpGet");
        assertEquals(path, get.get("path"), probe + " path");
        Object port = get.get("port");
        assertTrue("http".equals(port) || Integer.valueOf(Integer.parseInt(application.getProperty("quarkus.http.port"))).equals(port),
                probe + " must probe the HTTP port, not " + port);
    }

    private static Map<String, Object> gateway() {
        var containers = maps(map(map(map(gatewaySet, "spec"), "template"), "spec").get("containers"));
        return containers.stream().filter(c -> containerPortOrNull(c, "http") != null).findFirst()
                .orElseThrow(() -> new AssertionError("no container with a port named http"));
    }

    private static List<Map<String, Object>> containers(boolean withInit) {
        var podSpec = map(map(map(gatewaySet, "spec"), "template"), "spec");
        List<Map<String, Object>> all = new ArrayList<>(maps(podSpec.get("containers")));
        if (withInit) {
            all.addAll(maps(podSpec.get("initContainers")));
        }
        return all;
    }

    private static Map<String, Object> containerPort(Map<String, Object> container, String name) {
        var port = containerPortOrNull(container, name);
        assertNotNull(port, "no container port named " + name);
        return port;
    }

    private static Map<String, Object> containerPortOrNull(Map<String, Object> container, String name) {
        return maps(container.get("ports")).stream().filter(p -> name.equals(p.get("name"))).findFirst().orElse(null);
    }

    private static Map<String, Map<String, Object>> volumes() {
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        var spec = map(gatewaySet, "spec");
        for (var volume : maps(map(map(spec, "template"), "spec").get("volumes"))) {
            volumes.put(string(volume, "name"), volume);
        }
        for (var template : maps(spec.get("volumeClaimTemplates"))) {
            volumes.put(string(map(template, "metadata"), "name"), Map.of("persistentVolumeClaimTemplate", template));
        }
        return volumes;
    }

    private static Map<String, Map<String, Object>> mountsByPath(Map<String, Object> container) {
        Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
        maps(container.get("volumeMounts")).forEach(m -> mounts.put(string(m, "mountPath"), m));
        return mounts;
    }

    private static Map<String, Map<String, Object>> mountsByName(Map<String, Object> container) {
        Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
        maps(container.get("volumeMounts")).forEach(m -> mounts.put(string(m, "name"), m));
        return mounts;
    }

    private static String volumeNameAt(Map<String, Object> container, Path file) {
        return mountsByPath(container).entrySet().stream().filter(e -> file.startsWith(e.getKey()))
                .max((a, b) -> Integer.compare(a.getKey().length(), b.getKey().length()))
                .map(e -> string(e.getValue(), "name"))
                .orElseThrow(() -> new AssertionError(file + " is on no volume of container " + container.get("name")));
    }

    private static List<Map<String, Object>> documents() {
        return manifests.values().stream().flatMap(List::stream).toList();
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return documents().stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    // ---- parsing --------------------------------------------------------------------------------

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/kubernetes")) && Files.isDirectory(dir.resolve("gateway"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/kubernetes above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parse(Path file) throws IOException {
        var yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object document : yaml.loadAll(reader)) {
                if (document != null) {
                    assertTrue(document instanceof Map, file + ": a document that is not a mapping");
                    documents.add((Map<String, Object>) document);
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    private static Properties properties(String text) {
        var properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        if (parent == null) {
            return null;
        }
        Object value = parent.get(key);
        return value instanceof Map ? (Map<String, Object>) value : null;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object list) {
        return list == null ? List.of() : ((List<Object>) list).stream().map(o -> (Map<String, Object>) o).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<Object>) list).stream().map(String::valueOf).toList();
    }

    private static String string(Map<String, Object> map, String key) {
        return map == null || map.get(key) == null ? null : String.valueOf(map.get(key));
    }

    private static void assertSubset(Map<String, Object> selector, Map<String, Object> labels, String what) {
        assertNotNull(selector, what + " has no selector");
        assertFalse(selector.isEmpty(), what + " has an empty selector");
        selector.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects " + k + "=" + v
                + ", which the gateway's pods do not carry " + labels));
    }

    /** A Kubernetes memory quantity (Mi, Gi, M, G or bytes) in bytes. */
    static long bytes(Object quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(String.valueOf(quantity));
        assertTrue(m.matches(), "cannot read memory quantity " + quantity);
        long n = Long.parseLong(m.group(1));
        return n * switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
    }

    private static Optional<Long> jvmSize(List<String> args, String prefix) {
        return args.stream().filter(a -> a.startsWith(prefix)).reduce((a, b) -> b).map(a -> {
            Matcher m = Pattern.compile("(\\d+)([kKmMgG])?").matcher(a.substring(prefix.length()));
            assertTrue(m.matches(), "cannot read " + a);
            long n = Long.parseLong(m.group(1));
            return n * switch (m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 1L << 10;
                case "m" -> 1L << 20;
                case "g" -> 1L << 30;
                default -> 1L;
            };
        });
    }

    private static Optional<String> jvmProperty(List<String> args, String name) {
        return args.stream().filter(a -> a.startsWith("-D" + name + "=")).reduce((a, b) -> b)
                .map(a -> a.substring(name.length() + 3));
    }

    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)([smh]?)", Pattern.CASE_INSENSITIVE).matcher(duration);
        assertTrue(m.matches(), "cannot read duration " + duration);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
        };
    }
}
