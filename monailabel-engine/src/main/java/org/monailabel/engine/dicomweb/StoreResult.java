package org.monailabel.engine.dicomweb;

import java.util.List;
import java.util.Objects;

/**
 * What a STOW-RS server answered (PS3.18 section 10.5.3): the instances it stored and those it
 * could not.
 *
 * @param status the HTTP status (200 all stored, 202 some warnings or failures, 400/409 failures)
 * @param stored the SOPInstanceUIDs of the ReferencedSOPSequence (0008,1199)
 * @param failed the FailedSOPSequence (0008,1198)
 * @param response the whole answer, or null when the server sent none
 */
public record StoreResult(
        int status, List<String> stored, List<Failure> failed, DicomJson response) {
    /** Tags of the STOW-RS response. */
    static final int FAILED_SOP_SEQUENCE = 0x00081198;

    static final int REFERENCED_SOP_SEQUENCE = 0x00081199;
    static final int FAILURE_REASON = 0x00081197;
    static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;

    /**
     * One instance the server did not store.
     *
     * @param sopClassUid its SOPClassUID, or ""
     * @param sopInstanceUid its SOPInstanceUID, or ""
     * @param reason the FailureReason (0008,1197), e.g. {@code 0x0110}; -1 when not given
     */
    public record Failure(String sopClassUid, String sopInstanceUid, int reason) {
        /** The reason as PS3.4 (annex B.2.3, PS3.18 table 10.5.3-2) names it, with its code. */
        public String describeReason() {
            String name;
            switch (reason) {
                case 0x0110:
                    name = "processing failure";
                    break;
                case 0x0122:
                    name = "SOP class not supported";
                    break;
                case 0x0124:
                    name = "not authorized";
                    break;
                case 0xA700:
                    name = "out of resources";
                    break;
                case 0xA900:
                    name = "data set does not match SOP class";
                    break;
                case 0xC000:
                    name = "cannot understand";
                    break;
                case 0xC122:
                    name = "referenced transfer syntax not supported";
                    break;
                default:
                    name = reason < 0 ? "no reason given" : "failure";
            }
            return reason < 0 ? name : String.format("%s (0x%04X)", name, reason);
        }
    }

    public StoreResult {
        stored = List.copyOf(stored);
        failed = List.copyOf(failed);
    }

    /** Reads a STOW-RS response dataset. */
    static StoreResult of(int status, DicomJson response) {
        Objects.requireNonNull(response, "response");
        List<String> stored =
                response.sequence(REFERENCED_SOP_SEQUENCE).stream()
                        .map(i -> i.string(REFERENCED_SOP_INSTANCE_UID).orElse(""))
                        .toList();
        List<Failure> failed =
                response.sequence(FAILED_SOP_SEQUENCE).stream()
                        .map(
                                i ->
                                        new Failure(
                                                i.string(REFERENCED_SOP_CLASS_UID).orElse(""),
                                                i.string(REFERENCED_SOP_INSTANCE_UID).orElse(""),
                                                i.intValue(FAILURE_REASON).orElse(-1)))
                        .toList();
        return new StoreResult(status, stored, failed, response);
    }
}
