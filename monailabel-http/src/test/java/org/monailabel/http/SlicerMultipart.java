package org.monailabel.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A multipart body framed byte for byte as 3D Slicer's MONAILabel client ({@code
 * encode_multipart_formdata}) builds it: the fixed boundary with a {@code $}, unquoted in the
 * Content-Type; fields first; file parts named with the full client path; every line, the closing
 * boundary and a final empty line each followed by CRLF.
 */
final class SlicerMultipart {
    static final String LIMIT = "----------lImIt_of_THE_fIle_eW_$";

    private final List<String[]> fields = new ArrayList<>();
    private final List<Object[]> files = new ArrayList<>();
    private String boundary = LIMIT;
    private boolean filesFirst;
    private boolean finalCrlf = true;

    SlicerMultipart field(String name, String value) {
        fields.add(new String[] {name, value});
        return this;
    }

    /** A file part: {@code clientPath} is the filename sent, {@code content} the bytes. */
    SlicerMultipart file(String name, String clientPath, byte[] content) {
        files.add(new Object[] {name, clientPath, content});
        return this;
    }

    SlicerMultipart file(String name, String clientPath, Path content) throws IOException {
        return file(name, clientPath, Files.readAllBytes(content));
    }

    /**
     * QuPath's variant: a decimal boundary, files before fields, no CRLF after the closing
     * boundary.
     */
    SlicerMultipart quPath() {
        boundary = "1733740000123456789";
        filesFirst = true;
        finalCrlf = false;
        return this;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    byte[] bytes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (filesFirst) {
            writeFiles(body);
            writeFields(body);
        } else {
            writeFields(body);
            writeFiles(body);
        }
        line(body, "--" + boundary + "--");
        if (finalCrlf) {
            line(body, "");
        } else {
            byte[] b = body.toByteArray();
            body.reset();
            body.write(b, 0, b.length - 2); // drop the CRLF after the closing boundary
        }
        return body.toByteArray();
    }

    private void writeFields(ByteArrayOutputStream body) {
        for (String[] f : fields) {
            line(body, "--" + boundary);
            line(body, "Content-Disposition: form-data; name=\"" + f[0] + "\"");
            line(body, "");
            line(body, f[1]);
        }
    }

    private void writeFiles(ByteArrayOutputStream body) {
        for (Object[] f : files) {
            line(body, "--" + boundary);
            line(
                    body,
                    "Content-Disposition: form-data; name=\""
                            + f[0]
                            + "\"; filename=\""
                            + f[1]
                            + "\"");
            line(body, "Content-Type: application/octet-stream");
            line(body, "");
            byte[] content = (byte[]) f[2];
            body.write(content, 0, content.length);
            body.write('\r');
            body.write('\n');
        }
    }

    private static void line(ByteArrayOutputStream body, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        body.write(b, 0, b.length);
        body.write('\r');
        body.write('\n');
    }
}
