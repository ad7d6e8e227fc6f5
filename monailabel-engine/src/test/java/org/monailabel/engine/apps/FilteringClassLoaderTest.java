package org.monailabel.engine.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.InferenceTask;
import org.monailabel.testing.PluginJars;
import org.slf4j.Logger;

class FilteringClassLoaderTest {
    private final FilteringClassLoader filter =
            new FilteringClassLoader(getClass().getClassLoader());

    @Test
    void sharedPackagesComeFromTheHostSoTypesStayIdentical() throws ClassNotFoundException {
        assertThat(filter.loadClass("org.monailabel.api.Datastore")).isSameAs(Datastore.class);
        assertThat(filter.loadClass("org.slf4j.Logger")).isSameAs(Logger.class);
        assertThat(filter.loadClass("java.util.List")).isSameAs(List.class);
        assertThat(filter.loadClass("java.sql.Connection")).isNotNull(); // platform module
    }

    @Test
    void otherHostLibrariesAreHidden() {
        assertThatThrownBy(() -> filter.loadClass("com.google.gson.Gson"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> filter.loadClass("org.junit.jupiter.api.Test"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void serviceFilesOfMonailabelInterfacesAreHiddenButOtherResourcesPassThrough(@TempDir Path tmp)
            throws IOException {
        Path jar =
                PluginJars.builder()
                        .service(InferenceTask.class, "host.Seg")
                        .service("com.example.Spi", "host.Impl")
                        .resource("host/readme.txt", "hello")
                        .write(tmp.resolve("host.jar"));
        String hidden = "META-INF/services/" + InferenceTask.class.getName();
        try (URLClassLoader host =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            FilteringClassLoader over = new FilteringClassLoader(host);

            assertThat(Collections.list(host.getResources(hidden))).isNotEmpty();
            assertThat(Collections.list(over.getResources(hidden))).isEmpty();
            assertThat(over.getResource(hidden)).isNull();
            assertThat(over.getResource("META-INF/services/com.example.Spi")).isNotNull();
            assertThat(over.getResource("host/readme.txt")).isNotNull();
        }
    }
}
