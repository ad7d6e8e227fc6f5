package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.PacsProxy;

/**
 * {@code /proxy/dicom/...} (docs/rest-api.md §10): a client's DICOMweb request forwarded to the
 * PACS the server serves ({@code --studies http(s)://.../dicom-web}) with the server's credentials,
 * as MONAI Label does for OHIF. {@code /proxy/dicom/wado/X}, {@code qido/X} and {@code stow/X} go
 * to {@code X} under the one DICOMweb root, as {@code /proxy/dicom/X} does. Status, headers and
 * body come back as the PACS sent them (hop-by-hop headers aside), streamed; the client's own
 * {@code Authorization} and cookies are not forwarded. No PACS: 404; PACS unreachable: 503.
 */
public final class ProxyEndpoints {
    /** The route's prefix. */
    public static final String PREFIX = "/proxy/dicom";

    private static final Set<String> SERVICE_PREFIXES = Set.of("wado", "qido", "stow");
    private static final Set<String> NOT_RETURNED =
            Set.of(
                    "connection",
                    "keep-alive",
                    "proxy-authenticate",
                    "proxy-authorization",
                    "te",
                    "trailer",
                    "transfer-encoding",
                    "upgrade",
                    "content-length",
                    "set-cookie",
                    "www-authenticate");
    private static final Set<String> NOT_SENT = Set.of("host", "content-length", "expect");

    private final Services services;

    public ProxyEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    /** {@code GET/HEAD/POST /proxy/dicom/{path}}. */
    public void dicom(HttpServerExchange exchange) throws IOException {
        PacsProxy proxy =
                services.monaiLabel()
                        .pacsProxy()
                        .orElseThrow(
                                () ->
                                        new NotFoundException(
                                                "No DICOMweb server to forward to: /proxy/dicom"
                                                        + " works when the studies are a PACS"
                                                        + " (--studies http(s)://host/dicom-web)"));
        String path = exchange.getRelativePath();
        String rest = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "/";
        int slash = rest.indexOf('/', 1);
        String first = slash < 0 ? rest.substring(1) : rest.substring(1, slash);
        if (SERVICE_PREFIXES.contains(first)) {
            rest = slash < 0 ? "/" : rest.substring(slash);
        }
        String query = exchange.getQueryString();
        String pathAndQuery = query == null || query.isEmpty() ? rest : rest + "?" + query;

        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            if (!NOT_SENT.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, new ArrayList<>(values));
            }
        }
        boolean hasBody =
                !exchange.getRequestMethod().equals(Methods.GET)
                        && !exchange.getRequestMethod().equals(Methods.HEAD);
        InputStream body = hasBody ? exchange.getInputStream() : null;
        try (PacsProxy.Reply response =
                proxy.forward(
                        exchange.getRequestMethod().toString(), pathAndQuery, headers, body)) {
            exchange.setStatusCode(response.status());
            for (Map.Entry<String, List<String>> h : response.headers().entrySet()) {
                if (h.getKey() == null || h.getKey().startsWith(":")) {
                    continue;
                }
                if (NOT_RETURNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    continue;
                }
                exchange.getResponseHeaders().putAll(new HttpString(h.getKey()), h.getValue());
            }
            response.header("content-length")
                    .ifPresent(
                            length -> {
                                try {
                                    exchange.setResponseContentLength(
                                            Long.parseLong(length.trim()));
                                } catch (NumberFormatException e) {
                                    // sent chunked instead
                                }
                            });
            if (exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.endExchange();
                return;
            }
            try (InputStream in = response.body();
                    OutputStream out = exchange.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }
}
