package kg.neo4jserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A real Neo4j Community server for tests and benchmarks, without Docker or a tarball.
 *
 * <pre>
 * java -jar kg-neo4j-server.jar server --home DIR --port PORT --password PW [--pagecache 256m]
 *     Neo4j embedded with its Bolt connector on 127.0.0.1:PORT (0 = any free port), auth on,
 *     user neo4j with password PW, store under DIR. Prints one line
 *     "kg-neo4j-server ready bolt://127.0.0.1:PORT" when Bolt accepts connections, then runs
 *     until SIGTERM or until its standard input closes (so it never outlives its parent).
 * java -jar kg-neo4j-server.jar admin --home DIR ARGS...
 *     neo4j-admin itself (org.neo4j.cli.AdminTool) with NEO4J_HOME=DIR, e.g.
 *     "database import full --nodes=... --relationships=... neo4j".
 * </pre>
 *
 * Bolt and auth are off by default in embedded mode; both are switched on here. The jar's
 * manifest carries the --add-opens that Neo4j needs on Java 17, so `java -jar` needs no flags.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        String command = args[0];
        Map<String, String> opts = new HashMap<>();
        int i = 1;
        while (i + 1 < args.length && args[i].startsWith("--") && isOwnOption(args[i])) {
            opts.put(args[i].substring(2), args[i + 1]);
            i += 2;
        }
        String[] rest = Arrays.copyOfRange(args, i, args.length);
        Path home = Path.of(require(opts, "home")).toAbsolutePath();
        Files.createDirectories(home);
        switch (command) {
            case "server" -> serve(home, Integer.parseInt(opts.getOrDefault("port", "0")),
                    require(opts, "password"), opts.getOrDefault("pagecache", "256m"));
            case "admin" -> System.exit(admin(home, rest));
            default -> usage();
        }
    }

    private static boolean isOwnOption(String arg) {
        return switch (arg) {
            case "--home", "--port", "--password", "--pagecache" -> true;
            default -> false;
        };
    }

    private static String require(Map<String, String> opts, String key) {
        String value = opts.get(key);
        if (value == null) {
            usage();
        }
        return value;
    }

    private static void usage() {
        System.err.println("usage: server --home DIR --port PORT --password PW [--pagecache 256m]\n"
                + "       admin --home DIR NEO4J_ADMIN_ARGS...");
        System.exit(2);
    }

    private static int admin(Path home, String[] args) throws IOException {
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        return AdminTool.execute(new ExecutionContext(home, conf), args);
    }

    private static void serve(Path home, int port, String password, String pagecache) throws InterruptedException {
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pagecache))
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "kg-neo4j-shutdown"));

        int boltPort;
        try {
            setPassword(dbms, password);
            GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            boltPort = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT).getPort();
        } catch (RuntimeException e) {
            // Neo4j's own threads would keep a half-started server alive: stop it and say why.
            e.printStackTrace();
            System.exit(1);
            return;
        }
        System.out.println("kg-neo4j-server ready bolt://127.0.0.1:" + boltPort);
        System.out.flush();

        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() != -1) {
                    // drain until the parent closes our stdin or dies
                }
            } catch (IOException ignored) {
                // a broken pipe means the parent is gone: stop as well
            }
            System.exit(0);  // runs the shutdown hook
        }, "kg-neo4j-stdin");
        watcher.setDaemon(true);
        watcher.start();
        stopped.await();
    }

    /** The user store lives in the system database; ALTER USER works there in Community. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // A restart on the same store with the same password: nothing to change.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).contains("cannot be the same")) {
                    return;
                }
            }
            throw e;
        }
    }

    private static long parseBytes(String text) {
        String t = text.trim().toLowerCase();
        long unit = 1;
        if (t.endsWith("g")) {
            unit = ByteUnit.gibiBytes(1);
        } else if (t.endsWith("m")) {
            unit = ByteUnit.mebiBytes(1);
        } else if (t.endsWith("k")) {
            unit = ByteUnit.kibiBytes(1);
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        return Long.parseLong(digits) * unit;
    }
}
