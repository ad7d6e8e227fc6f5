package org.monailabel.engine.datastore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.nifti.NiftiReader;
import org.monailabel.engine.io.nrrd.NrrdReader;

/**
 * Refuses images and labels whose content does not match their extension (docs/rest-api.md §1.8),
 * before anything is stored: NIfTI and NRRD files up to {@link #FULL_READ_LIMIT} bytes are decoded
 * completely (a truncated or corrupt file fails), larger ones have their header checked (gzip
 * stream, NIfTI {@code sizeof_hdr} and magic, NRRD magic). DICOM needs its {@code DICM} preamble.
 * Other extensions (XML, PNG, raw {@code .bin}) pass as they are.
 *
 * <p>{@link LocalDatastore} runs it on every image and label it is given; the HTTP layer runs it on
 * session uploads and inference inputs. The file is only read: nothing is created next to it, so it
 * may lie in a read-only folder. Stateless and thread-safe.
 *
 * <pre>{@code
 * ContentCheck.check(upload, "spleen_10.nii.gz", "Image"); // InvalidInputException if not NIfTI
 * }</pre>
 */
public final class ContentCheck {
    /** Files up to this size are decoded completely. */
    public static final long FULL_READ_LIMIT = 256L * 1024 * 1024;

    private static final ReadOptions READ = new ReadOptions(1L << 30);

    private ContentCheck() {}

    /**
     * Checks {@code file} against the extension of {@code clientName}.
     *
     * @param clientName the client's name for the file (a path is fine: only its last component
     *     counts)
     * @param what how the message names the file: {@code Image}, {@code Label}, {@code Session},
     *     ...
     * @throws InvalidInputException if the file is empty or its content is not what the extension
     *     says
     * @throws IOException if the file cannot be read
     */
    public static void check(Path file, String clientName, String what) throws IOException {
        String name = FileExtensions.baseName(clientName).toLowerCase(Locale.ROOT);
        long size = Files.size(file);
        if (size == 0) {
            throw new InvalidInputException(what + " file is empty");
        }
        if (name.endsWith(".dcm")) {
            checkDicom(file, what);
            return;
        }
        boolean nifti = name.endsWith(".nii") || name.endsWith(".nii.gz");
        boolean nrrd = name.endsWith(".nrrd");
        if (!nifti && !nrrd) {
            return;
        }
        if (size <= FULL_READ_LIMIT) {
            // from a stream: the codecs choose by content (NIfTI sniffs gzip), not by the name of
            // the file
            try (InputStream in = Files.newInputStream(file)) {
                try {
                    if (nifti) {
                        new NiftiReader(READ).read(in, size);
                    } else {
                        new NrrdReader(READ).read(in, size);
                    }
                } catch (IOException e) {
                    throw new InvalidInputException(
                            what
                                    + " file is not a valid "
                                    + (nifti ? "NIfTI" : "NRRD")
                                    + " image: "
                                    + e.getMessage());
                }
            }
            return;
        }
        try (InputStream in = open(file, name.endsWith(".gz"))) {
            byte[] head = in.readNBytes(352);
            if (nifti ? !isNiftiHeader(head) : !startsWith(head, "NRRD000")) {
                throw new InvalidInputException(
                        what + " file is not a valid " + (nifti ? "NIfTI" : "NRRD") + " image");
            }
        } catch (ZipException e) {
            throw new InvalidInputException(what + " file is not gzip-compressed as its name says");
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        return gzip ? new GZIPInputStream(in, 65536) : in;
    }

    private static boolean isNiftiHeader(byte[] head) {
        if (head.length < 348) {
            return false;
        }
        ByteBuffer le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN);
        int sizeLe = le.getInt(0);
        int sizeBe = be.getInt(0);
        if (sizeLe == 348 || sizeBe == 348) {
            return head[344] == 'n' && (head[345] == '+' || head[345] == 'i') && head[346] == '1';
        }
        if (sizeLe == 540 || sizeBe == 540) {
            return head[4] == 'n' && (head[5] == '+' || head[5] == 'i') && head[6] == '2';
        }
        return false;
    }

    private static void checkDicom(Path file, String what) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            if (head.length < 132
                    || !new String(head, 128, 4, StandardCharsets.ISO_8859_1).equals("DICM")) {
                throw new InvalidInputException(
                        what + " file is not a DICOM file (no DICM preamble)");
            }
        }
    }

    private static boolean startsWith(byte[] head, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (head.length < m.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (head[i] != m[i]) {
                return false;
            }
        }
        return true;
    }
}
