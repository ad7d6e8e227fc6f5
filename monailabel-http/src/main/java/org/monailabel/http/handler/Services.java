package org.monailabel.http.handler;

import java.nio.file.Path;
import java.util.Objects;
import org.monailabel.api.Datastore;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.MonaiLabel;
import org.monailabel.http.support.Forms;

/**
 * What the handlers work with, built once by the server: the application layer and the HTTP layer's
 * own form parser.
 *
 * @param monaiLabel the application layer every endpoint calls
 * @param forms the form parser (upload limit, spool folder)
 * @param workDir the server's private folder (scratch files under {@code tmp/})
 * @param version the server's version
 * @param authentication who may use the server
 */
public record Services(
        MonaiLabel monaiLabel,
        Forms forms,
        Path workDir,
        String version,
        Authentication authentication) {
    public Services {
        Objects.requireNonNull(monaiLabel, "monaiLabel");
        Objects.requireNonNull(forms, "forms");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(authentication, "authentication");
    }

    /** Services without authentication. */
    public Services(MonaiLabel monaiLabel, Forms forms, Path workDir, String version) {
        this(monaiLabel, forms, workDir, version, Authentication.off());
    }

    /** The datastore served. */
    public Datastore datastore() {
        return monaiLabel.datastore();
    }
}
