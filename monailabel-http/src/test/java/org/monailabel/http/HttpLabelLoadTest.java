package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.Authentication;

/**
 * No lost work under load: 16 signed-in annotators (each its own user and token) edit 50 images
 * over HTTP for a while (system property {@code monailabel.loadSeconds}, default 18), mixing saves
 * with the If-Match of the version just read (fresh, unless another client saved meanwhile), with
 * an If-Match remembered from earlier (stale, mostly), without If-Match (last write wins) and with
 * If-None-Match: * (create only). Afterwards every save acknowledged with 200 is in the history
 * under its version with the SHA-256 of what was sent, every refused one got a 409 naming the
 * current ETag, nothing else came back, and each label's versions are contiguous, each replacing
 * the one before.
 */
class HttpLabelLoadTest {
    static final int CLIENTS = 16;
    static final int IMAGES = 50;
    static final int LABELS = 64;

    @TempDir Path root;

    /** A save the server acknowledged. */
    record Ack(String image, long version, String sha256, long ifMatchVersion, String user) {}

    @Test
    void concurrentConditionalAndUnconditionalSavesLoseNothing() throws Exception {
        Path studies = Files.createDirectories(root.resolve("studies"));
        for (int i = 0; i < IMAGES; i++) {
            TestImages.write(TestImages.image(i), studies.resolve(id(i) + ".nii.gz"));
        }
        byte[][] labels = new byte[LABELS][];
        String[] hashes = new String[LABELS];
        for (int n = 0; n < LABELS; n++) {
            labels[n] = Files.readAllBytes(TestImages.write(label(n), root.resolve(n + ".nii.gz")));
            hashes[n] = sha256(labels[n]);
        }
        long seconds = Long.getLong("monailabel.loadSeconds", 18);
        Queue queue = new Queue();
        // 16 annotators, each signed in as Slicer signs in; an admin reads the histories back
        Path users = root.resolve("users.json");
        for (int c = 0; c < CLIENTS; c++) {
            Authentication.addUser(
                    users, "annotator" + c, "annotator", ("password-" + c).toCharArray(), "", "");
        }
        Authentication.addUser(users, "admin", "admin", "admin-password".toCharArray(), "", "");
        try (TestServer server = TestServer.start(root, b -> b.users(users))) {
            String admin = server.authorization("admin", "admin-password");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = c;
                String name = "annotator" + c;
                String token = server.authorization(name, "password-" + c);
                clients.add(
                        pool.submit(
                                () -> {
                                    client(
                                            server,
                                            new Client(name, token),
                                            new Random(seed),
                                            end,
                                            labels,
                                            hashes,
                                            queue);
                                    return null;
                                }));
            }
            for (Future<?> client : clients) {
                client.get(seconds + 60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertThat(queue.unexpected).as("replies other than 200 and 409").isEmpty();
            assertThat(queue.acks.size()).as("saves acknowledged").isGreaterThan(CLIENTS);
            assertThat(queue.refused.get()).as("stale saves refused").isPositive();
            verify(server, queue, admin);
            System.out.printf(
                    "HttpLabelLoadTest: %d clients, %d s: %d saves acknowledged, %d refused"
                            + " (409)%n",
                    CLIENTS, seconds, queue.acks.size(), queue.refused.get());
        }
    }

    /** What the clients saw, shared. */
    static final class Queue {
        final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final AtomicInteger refused = new AtomicInteger();

        /** An ETag seen earlier per image: soon stale. */
        final Map<String, String> remembered = new ConcurrentHashMap<>();
    }

    /** A signed-in client: its user name and its Authorization header. */
    record Client(String user, String authorization) {}

    private static void client(
            TestServer server,
            Client client,
            Random random,
            long end,
            byte[][] labels,
            String[] hashes,
            Queue q)
            throws Exception {
        while (System.nanoTime() < end) {
            String image = id(random.nextInt(IMAGES));
            int n = random.nextInt(LABELS);
            int kind = random.nextInt(10);
            String ifMatch = null;
            String ifNoneMatch = null;
            if (kind < 5) { // read, then save on what was read
                HttpResponse<byte[]> got =
                        HttpLabelHistoryTest.download(
                                server, "label=" + image, "Authorization", client.authorization());
                if (got.statusCode() == 200) {
                    ifMatch = HttpLabelHistoryTest.etag(got);
                    q.remembered.putIfAbsent(image, ifMatch);
                } else if (got.statusCode() == 404) {
                    ifNoneMatch = "*";
                } else {
                    q.unexpected.add("GET " + image + ": " + got.statusCode());
                    continue;
                }
            } else if (kind < 8) { // an ETag from earlier
                ifMatch = q.remembered.get(image);
                if (ifMatch == null) {
                    ifNoneMatch = "*";
                }
            } // else: unconditional
            List<String> headers =
                    new ArrayList<>(List.of("Authorization", client.authorization()));
            if (ifMatch != null) {
                headers.add("If-Match");
                headers.add(ifMatch);
            }
            if (ifNoneMatch != null) {
                headers.add("If-None-Match");
                headers.add(ifNoneMatch);
            }
            HttpResponse<String> saved =
                    HttpLabelHistoryTest.save(
                            server, image, "final", labels[n], headers.toArray(String[]::new));
            if (saved.statusCode() == 200) {
                long version = ((Number) TestServer.json(saved).get("version")).longValue();
                String etag = HttpLabelHistoryTest.etag(saved);
                assertThat(etag).startsWith("\"" + version + "-" + hashes[n].substring(0, 16));
                q.acks.add(
                        new Ack(
                                image,
                                version,
                                hashes[n],
                                ifMatch == null ? -1 : versionOf(ifMatch),
                                client.user()));
                if (random.nextInt(4) == 0) {
                    q.remembered.put(image, etag);
                }
            } else if (saved.statusCode() == 409
                    && TestServer.json(saved).get("detail").toString().contains("current ETag")) {
                q.refused.incrementAndGet();
            } else {
                q.unexpected.add("PUT " + image + ": " + saved.statusCode() + " " + saved.body());
            }
        }
    }

    private static void verify(TestServer server, Queue queue, String admin) throws Exception {
        Map<String, Map<Long, Ack>> byImage = new HashMap<>();
        for (Ack ack : queue.acks) {
            Ack twice =
                    byImage.computeIfAbsent(ack.image(), k -> new HashMap<>())
                            .put(ack.version(), ack);
            assertThat(twice)
                    .as("two saves acknowledged as %s version %d", ack.image(), ack.version())
                    .isNull();
            if (ack.ifMatchVersion() >= 0) {
                assertThat(ack.ifMatchVersion())
                        .as("a conditional save replaced the version it named")
                        .isEqualTo(ack.version() - 1);
            }
        }
        for (int i = 0; i < IMAGES; i++) {
            String image = id(i);
            List<Map<String, Object>> history =
                    HttpLabelHistoryTest.history(server, image, "final", admin);
            Map<Long, Ack> acked = byImage.getOrDefault(image, Map.of());
            assertThat(history).as(image).hasSize(acked.size());
            assertThat(history)
                    .extracting(v -> v.get("version"))
                    .as("%s: contiguous versions", image)
                    .isEqualTo(LongStream.rangeClosed(1, history.size()).boxed().toList());
            for (Map<String, Object> version : history) {
                long v = (Long) version.get("version");
                Ack ack = acked.get(v);
                assertThat(ack).as("%s version %d was acknowledged", image, v).isNotNull();
                assertThat(version)
                        .containsEntry("action", "saved")
                        .containsEntry("user", ack.user())
                        .containsEntry("sha256", ack.sha256())
                        .containsEntry("replaced", v == 1 ? null : v - 1);
            }
            if (!history.isEmpty()) {
                HttpResponse<byte[]> current =
                        HttpLabelHistoryTest.download(
                                server, "label=" + image, "Authorization", admin);
                assertThat(sha256(current.body()))
                        .isEqualTo(history.get(history.size() - 1).get("sha256"));
                long middle = (history.size() + 1) / 2;
                HttpResponse<byte[]> old =
                        HttpLabelHistoryTest.download(
                                server,
                                "label=" + image + "&version=" + middle,
                                "Authorization",
                                admin);
                assertThat(sha256(old.body())).isEqualTo(acked.get(middle).sha256());
            }
        }
    }

    private static long versionOf(String etag) {
        return Long.parseLong(etag.substring(1, etag.indexOf('-')));
    }

    private static String id(int i) {
        return String.format("case_%02d", i);
    }

    /** A label on the test images' grid whose first voxels spell {@code n}. */
    private static Volume label(int n) {
        Volume v = Volume.allocate(VoxelType.UINT8, TestImages.affine(), TestImages.SHAPE);
        v.set(0, 1 + n % 200);
        v.set(1, 1 + n / 200);
        return v;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
