package tissync.opensearch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts a real single-node OpenSearch (org.opensearch.node.Node) inside this JVM, with the
 * transport-netty4 and analysis-common modules loaded from the classpath (the way the OpenSearch
 * test framework's MockNode does), bound to 127.0.0.1 only. The mapper-extras, reindex and
 * lang-painless modules are loaded the same way.
 *
 * <p>Usage: {@code Launcher STATE_DIR [HTTP_PORT]} (or env OPENSEARCH_STATE_DIR / OPENSEARCH_PORT).
 * A node of a cluster also gets OPENSEARCH_NODE_NAME, OPENSEARCH_TRANSPORT_PORT,
 * OPENSEARCH_SEED_HOSTS (host:port,...) and OPENSEARCH_INITIAL_MANAGERS (node names).
 * HTTP_PORT defaults to 9200; 0 picks a free ephemeral port. Once the node is started the
 * bound HTTP port is written to STATE_DIR/port (atomically). Logs go to STATE_DIR/logs/.
 * SIGTERM/SIGINT close the node cleanly.
 */
public final class Launcher {

    /** Node subclass exposing the protected constructor that accepts classpath plugins. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(environment, classpathPlugins, true);
        }
    }

    private static final String LOG4J2_PROPERTIES = String.join(
        "\n",
        "status = error",
        "appender.file.type = File",
        "appender.file.name = file",
        "appender.file.fileName = ${sys:opensearch.logs.base_path}${sys:file.separator}opensearch.log",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.file.ref = file",
        // deprecation warnings are noisy and irrelevant for tests
        "logger.deprecation.name = org.opensearch.deprecation",
        "logger.deprecation.level = error",
        ""
    );

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // never linger half-started: exit (the shutdown hook closes a created node)
            System.err.println("opensearch failed to start: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String stateArg = args.length > 0 ? args[0] : System.getenv("OPENSEARCH_STATE_DIR");
        if (stateArg == null || stateArg.isEmpty()) {
            System.err.println("usage: Launcher STATE_DIR [HTTP_PORT]");
            System.exit(2);
        }
        String portArg = args.length > 1 ? args[1] : System.getenv("OPENSEARCH_PORT");
        if (portArg == null || portArg.isEmpty()) {
            portArg = "9200";
        }
        int httpPort = Integer.parseInt(portArg);

        Path state = Paths.get(stateArg).toAbsolutePath().normalize();
        Path home = state.resolve("home");
        Path config = home.resolve("config");
        Path data = state.resolve("data");
        Path logs = state.resolve("logs");
        for (Path p : List.of(config, home.resolve("modules"), home.resolve("plugins"), data, logs)) {
            Files.createDirectories(p);
        }
        Files.writeString(config.resolve("log4j2.properties"), LOG4J2_PROPERTIES, StandardCharsets.UTF_8);
        Files.deleteIfExists(state.resolve("port"));

        // A node of a cluster (scripts/opensearch.sh start-cluster) is given its name, its
        // transport port, the transport addresses of every node and the names of the nodes
        // that bootstrap the cluster; without them the node is a cluster of its own.
        String nodeName = envOr("OPENSEARCH_NODE_NAME", "tis-sync-node");
        String seedHosts = envOr("OPENSEARCH_SEED_HOSTS", "");
        Settings.Builder builder = Settings.builder()
            .put("cluster.name", "tis-sync-test")
            .put("node.name", nodeName)
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", Integer.parseInt(envOr("OPENSEARCH_TRANSPORT_PORT", "0")))
            .put("bootstrap.memory_lock", false)
            // a nearly-full disk must not make indices read-only or block allocation
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (seedHosts.isEmpty()) {
            builder.put("discovery.type", "single-node");
        } else {
            builder.putList("discovery.seed_hosts", List.of(seedHosts.split(",")))
                .putList("cluster.initial_cluster_manager_nodes",
                    List.of(envOr("OPENSEARCH_INITIAL_MANAGERS", nodeName).split(",")));
        }
        Settings settings = builder.build();

        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env);

        Collection<Class<? extends Plugin>> plugins = List.of(
            Netty4Plugin.class,          // transport-netty4: HTTP + transport
            CommonAnalysisPlugin.class,  // analysis-common
            MapperExtrasPlugin.class,    // mapper-extras
            ReindexPlugin.class,         // reindex, update/delete by query
            PainlessPlugin.class         // lang-painless
        );
        final Node node = new EmbeddedNode(env, plugins);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opensearch-shutdown"));

        node.start();
        int bound = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress().getPort();
        writeAtomically(state.resolve("port"), bound + "\n");
        System.out.println("opensearch started: http://127.0.0.1:" + bound);
        System.out.flush();
        stopped.await();
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
