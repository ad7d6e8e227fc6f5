package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.monailabel.api.AppConfig;
import org.monailabel.engine.dicomweb.DicomWebClient;
import org.monailabel.engine.dicomweb.DicomWebCredentials;
import org.monailabel.engine.io.ReadOptions;

/**
 * Opens a PACS as {@code --studies http(s)://host/dicom-web} serves it: each CT/MR... image series
 * an image ({@link DicomWebSource}), converted series, labels and info kept in a local folder
 * ({@link SeriesDatastore}), final labels stored back as DICOM SEG. Settings ({@code --conf}):
 *
 * <ul>
 *   <li>{@value #USERNAME} and {@value #PASSWORD}: basic authentication; or {@value #TOKEN}: a
 *       bearer token;
 *   <li>{@value #CACHE_MB}: converted series kept at most, in MiB (default {@value
 *       #DEFAULT_CACHE_MB}); the least recently used series without labels leave first;
 *   <li>{@value #RESCAN_SECONDS}: how often the PACS is listed again (default {@value
 *       #DEFAULT_RESCAN_SECONDS}; 0: only at start);
 *   <li>{@value #RETRY_SECONDS}: how often labels not yet stored, and a PACS down at start, are
 *       tried again (default {@value #DEFAULT_RETRY_SECONDS});
 *   <li>{@value #TIMEOUT_SECONDS}: how long a request to the PACS may wait for an answer (default
 *       {@value #DEFAULT_TIMEOUT_SECONDS}).
 * </ul>
 */
public final class DicomWebStudies {
    public static final String USERNAME = "dicomweb_username";
    public static final String PASSWORD = "dicomweb_password";
    public static final String TOKEN = "dicomweb_token";
    public static final String CACHE_MB = "dicomweb_cache_mb";
    public static final String RESCAN_SECONDS = "dicomweb_rescan_seconds";
    public static final String RETRY_SECONDS = "dicomweb_retry_seconds";
    public static final String TIMEOUT_SECONDS = "dicomweb_timeout_seconds";

    static final int DEFAULT_CACHE_MB = 20480;
    static final int DEFAULT_RESCAN_SECONDS = 60;
    static final int DEFAULT_RETRY_SECONDS = 30;
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    private DicomWebStudies() {}

    /** Whether a {@code --studies} value names a DICOMweb server rather than a folder. */
    public static boolean isUrl(String studies) {
        return studies.startsWith("http://") || studies.startsWith("https://");
    }

    /** The credentials the settings give (basic, bearer or none). */
    public static DicomWebCredentials credentials(AppConfig conf) {
        String token = conf.getString(TOKEN, "");
        String user = conf.getString(USERNAME, "");
        if (!token.isEmpty() && !user.isEmpty()) {
            throw new IllegalArgumentException(
                    "give either " + TOKEN + " or " + USERNAME + "/" + PASSWORD + ", not both");
        }
        if (!token.isEmpty()) {
            return DicomWebCredentials.bearer(token);
        }
        if (!user.isEmpty()) {
            return DicomWebCredentials.basic(user, conf.getString(PASSWORD, ""));
        }
        return DicomWebCredentials.none();
    }

    /** A client for the URL with the settings' credentials and timeout. */
    public static DicomWebClient client(String url, AppConfig conf) {
        int timeout = positive(conf, TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS);
        return new DicomWebClient(
                url,
                credentials(conf),
                DicomWebClient.DEFAULT_CONNECT_TIMEOUT,
                Duration.ofSeconds(timeout));
    }

    /**
     * Opens the datastore of a PACS.
     *
     * @param folder where converted series, labels and info are kept
     * @throws IllegalArgumentException if a setting or the URL is not valid
     */
    public static SeriesDatastore open(String url, AppConfig conf, Path folder) throws IOException {
        long cacheMb = conf.getInt(CACHE_MB, DEFAULT_CACHE_MB);
        if (cacheMb < 0) {
            throw new IllegalArgumentException(CACHE_MB + " must not be negative");
        }
        int rescan = conf.getInt(RESCAN_SECONDS, DEFAULT_RESCAN_SECONDS);
        if (rescan < 0) {
            throw new IllegalArgumentException(RESCAN_SECONDS + " must not be negative");
        }
        int retry = positive(conf, RETRY_SECONDS, DEFAULT_RETRY_SECONDS);
        DicomWebClient client = client(url, conf);
        DicomWebSource source =
                new DicomWebSource(client, ReadOptions.defaults(), folder.resolve(".wado"));
        return SeriesDatastore.open(
                source,
                folder,
                new SeriesDatastore.Options(
                        Duration.ofSeconds(rescan),
                        false,
                        cacheMb << 20,
                        Duration.ofSeconds(retry)));
    }

    private static int positive(AppConfig conf, String key, int defaultValue) {
        int value = conf.getInt(key, defaultValue);
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }
}
