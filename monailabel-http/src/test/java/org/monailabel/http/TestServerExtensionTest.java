package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link TestServerExtension}: what it prepares, configures and exposes, and that it closes the
 * server and deletes its folder after failing tests and failed preparations. The nested classes are
 * run by these tests through the JUnit launcher (and only then: they are disabled otherwise); they
 * record the servers and folders they saw.
 */
class TestServerExtensionTest {
    static final String INSIDE = "org.monailabel.http.TestServerExtensionTest#inside";
    static final List<TestServer> SERVERS = new CopyOnWriteArrayList<>();
    static final List<URI> URIS = new CopyOnWriteArrayList<>();
    static final List<Path> ROOTS = new CopyOnWriteArrayList<>();
    private static volatile boolean inside;

    @RegisterExtension
    final TestServerExtension server =
            TestServerExtension.create()
                    .prepare(
                            root ->
                                    TestImages.write(
                                            TestImages.image(1),
                                            Files.createDirectories(root.resolve("studies"))
                                                    .resolve("img1.nii.gz")))
                    .configure(b -> b.rootPath("/monai"));

    static boolean inside() {
        return inside;
    }

    @BeforeEach
    void forget() {
        SERVERS.clear();
        URIS.clear();
        ROOTS.clear();
    }

    @Test
    void preparesTheFolderAppliesTheOptionsAndExposesTheServer() throws Exception {
        assertThat(server.get("/monai/info/").statusCode()).isEqualTo(200);
        assertThat(server.server().server.datastore().imageIds()).containsExactly("img1");
        assertThat(server.server().studies).isEqualTo(server.root().resolve("studies"));
        assertThat(server.root().resolve("apps/testapp.jar")).isRegularFile();
    }

    @Test
    void afterFailingTestsEachServerIsClosedAndItsFolderDeleted() {
        TestExecutionSummary summary = run(Failing.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(2);
        assertThat(SERVERS).hasSize(2).doesNotHaveDuplicates();
        URIS.forEach(TestServerExtensionTest::assertNotServing);
        assertThat(ROOTS).hasSize(2).allSatisfy(root -> assertThat(root).doesNotExist());
    }

    @Test
    void registeredStaticallyTheClassSharesOneServerClosedAfterItsLastTest() {
        TestExecutionSummary summary = run(Shared.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SERVERS).hasSize(2);
        assertThat(SERVERS.get(0)).isSameAs(SERVERS.get(1));
        URIS.forEach(TestServerExtensionTest::assertNotServing);
        assertThat(ROOTS.get(0)).doesNotExist();
    }

    @Test
    void aFailedPreparationFailsTheTestAndLeavesNoFolderBehind() {
        TestExecutionSummary summary = run(BadPreparation.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessage("no studies today");
        assertThat(SERVERS).isEmpty();
        assertThat(ROOTS).hasSize(1).allSatisfy(root -> assertThat(root).doesNotExist());
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        Launcher launcher =
                LauncherFactory.create(
                        LauncherConfig.builder()
                                .enableTestExecutionListenerAutoRegistration(false)
                                .build());
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        inside = true;
        try {
            launcher.execute(
                    LauncherDiscoveryRequestBuilder.request()
                            .selectors(selectClass(testClass))
                            .build(),
                    listener);
        } finally {
            inside = false;
        }
        return listener.getSummary();
    }

    /** Nothing answers where a closed server was. */
    private static void assertNotServing(URI info) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(
                        () ->
                                client.send(
                                        HttpRequest.newBuilder(info)
                                                .timeout(Duration.ofSeconds(10))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(IOException.class);
    }

    private static void remember(TestServerExtension extension) {
        SERVERS.add(extension.server());
        URIS.add(extension.uri("/info/"));
        ROOTS.add(extension.root());
    }

    @EnabledIf(INSIDE)
    static class Failing {
        @RegisterExtension final TestServerExtension server = TestServerExtension.create();

        @Test
        void failsAnAssertion() throws Exception {
            remember(server);
            assertThat(server.get("/info/").statusCode()).isEqualTo(200);
            assertThat(false).as("a failing test").isTrue();
        }

        @Test
        void throwsAnException() {
            remember(server);
            throw new IllegalStateException("a broken test");
        }
    }

    @EnabledIf(INSIDE)
    static class Shared {
        @RegisterExtension static final TestServerExtension SERVER = TestServerExtension.create();

        @Test
        void one() {
            remember(SERVER);
        }

        @Test
        void two() {
            remember(SERVER);
        }
    }

    @EnabledIf(INSIDE)
    static class BadPreparation {
        @RegisterExtension
        final TestServerExtension server =
                TestServerExtension.create()
                        .prepare(
                                root -> {
                                    ROOTS.add(root);
                                    Files.createDirectories(root.resolve("studies"));
                                    throw new IOException("no studies today");
                                });

        @Test
        void neverRuns() {
            SERVERS.add(server.server());
        }
    }
}
