package org.monailabel.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.engine.dicomweb.DicomWebClient;

/**
 * Forwards a client's DICOMweb request to the PACS the datastore serves, with the server's
 * credentials ({@code /proxy/dicom/...}); made by {@link MonaiLabel#pacsProxy}. Thread-safe.
 */
public final class PacsProxy {
    private final DicomWebClient client;

    PacsProxy(DicomWebClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * The PACS's answer, whatever its status; close it (its body is streamed).
     *
     * @param headers the response headers, names in lower case
     */
    public record Reply(int status, Map<String, List<String>> headers, InputStream body)
            implements Closeable {
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty()
                    ? Optional.empty()
                    : Optional.of(values.get(0));
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * Sends the request (the client's own {@code Authorization}, cookies and hop-by-hop headers are
     * not forwarded).
     *
     * @param pathAndQuery under the DICOMweb root, e.g. {@code /studies?limit=10}
     * @param body the request body, or null
     * @throws org.monailabel.api.error.BusyException if the PACS cannot be reached (503)
     * @throws org.monailabel.api.error.InvalidInputException if the method or path is not valid
     */
    public Reply forward(
            String method, String pathAndQuery, Map<String, List<String>> headers, InputStream body)
            throws IOException {
        DicomWebClient.Response r = client.send(method, pathAndQuery, headers, body);
        return new Reply(r.status(), r.headers(), r.body());
    }
}
