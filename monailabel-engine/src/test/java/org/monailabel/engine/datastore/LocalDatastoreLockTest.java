package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.error.ConflictException;
import org.monailabel.testing.ChildJvm;

class LocalDatastoreLockTest {
    @TempDir Path studies;

    @Test
    void secondDatastoreInTheSameJvmIsRefused() throws IOException {
        try (LocalDatastore first = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH)) {
            assertThatThrownBy(() -> LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining(studies.toAbsolutePath().normalize().toString())
                    .hasMessageContaining("already in use");
            assertThat(first.imageIds()).isEmpty();
        }
        LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH).close(); // free again after close
    }

    @Test
    void datastoreHeldByAnotherProcessIsRefused() throws Exception {
        Process child = ChildJvm.start(LockHolderMain.class, studies.toString());
        try {
            assertThat(ChildJvm.awaitLine(child, "locked")).isTrue();
            assertThatThrownBy(() -> LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("already in use");
            child.getOutputStream().close();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
        LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH).close();
    }

    @Test
    void closeIsIdempotent() throws IOException {
        LocalDatastore datastore = LocalDatastore.open(studies, LocalDatastoreTest.NO_WATCH);
        datastore.close();
        datastore.close();
        assertThatThrownBy(() -> datastore.removeImage("x")).isInstanceOf(ConflictException.class);
    }
}
