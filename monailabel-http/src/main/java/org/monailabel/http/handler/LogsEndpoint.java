package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.RecentLogs;
import org.monailabel.http.support.ServerLogFile;

/** {@code GET /logs/?lines=300&html=true&text=false&refresh=0}: the server's recent log lines. */
public final class LogsEndpoint {
    private final java.nio.file.Path workDir;

    /**
     * Reads the log file of this work dir (see {@link ServerLogFile}), else the lines in memory.
     */
    public LogsEndpoint(java.nio.file.Path workDir) {
        this.workDir = workDir;
    }

    /**
     * Sends the last lines as text, or an HTML page (auto-refreshing when {@code refresh >= 3}).
     */
    public void logs(HttpServerExchange exchange) {
        long lines = Http.queryLong(exchange, "lines", 300);
        boolean text =
                Http.queryFlag(exchange, "text", false) || !Http.queryFlag(exchange, "html", true);
        long refresh = Http.queryLong(exchange, "refresh", 0);
        int n = lines <= 0 ? Integer.MAX_VALUE : (int) Math.min(lines, Integer.MAX_VALUE);
        List<String> last;
        try {
            last =
                    java.nio.file.Files.isRegularFile(ServerLogFile.of(workDir))
                            ? ServerLogFile.lines(workDir, n)
                            : RecentLogs.last(n);
        } catch (java.io.IOException e) {
            last = RecentLogs.last(n);
        }
        String body;
        String type;
        if (text) {
            body = String.join("\n", last) + (last.isEmpty() ? "" : "\n");
            type = "text/plain; charset=utf-8";
        } else {
            StringBuilder html =
                    new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\">");
            if (refresh >= 3) {
                html.append("<meta http-equiv=\"refresh\" content=\"")
                        .append(refresh)
                        .append("\">");
            }
            html.append("<title>monailabel logs</title></head><body><pre>");
            last.forEach(l -> html.append(InfoEndpoints.escape(l)).append('\n'));
            html.append("</pre></body></html>");
            body = html.toString();
            type = "text/html; charset=utf-8";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        exchange.setResponseContentLength(bytes.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }
}
