package org.monailabel.engine.datastore;

import java.io.IOException;
import org.monailabel.testing.ChildJvm;

/**
 * Child-process main for {@link LocalDatastoreLockTest}: opens a datastore and holds it until stdin
 * closes.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws IOException {
        try (LocalDatastore datastore =
                LocalDatastore.open(
                        ChildJvm.path(args[0]),
                        LocalDatastore.Options.defaults().withWatch(false))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close stdin
            }
        }
        System.out.println("released");
        System.out.flush();
    }
}
