package org.monailabel.http.support;

import io.undertow.server.RequestTooBigException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.monailabel.api.error.ErrorCode;
import org.monailabel.api.error.MonaiLabelException;
import org.monailabel.engine.io.InvalidImageException;

/**
 * The one table from failures to replies: {@code detail} first, because MONAI Label clients show
 * it. Messages never carry server paths or stack traces.
 *
 * @param detail the message for the user
 * @param status the HTTP status
 * @param error the error code name
 * @param requestId the request's id, to find it in the log
 */
public record ApiError(String detail, int status, String error, String requestId) {
    /** The reply for a failure. */
    public static ApiError of(Throwable e, String requestId) {
        if (e instanceof MonaiLabelException m) {
            return new ApiError(m.getMessage(), m.code().httpStatus(), m.code().name(), requestId);
        }
        if (e instanceof RequestTooBigException) {
            return new ApiError(
                    "Upload exceeds the configured limit",
                    413,
                    ErrorCode.PAYLOAD_TOO_LARGE.name(),
                    requestId);
        }
        if (e instanceof InvalidImageException) {
            return new ApiError(
                    "Invalid image: " + e.getMessage(),
                    400,
                    ErrorCode.INVALID_INPUT.name(),
                    requestId);
        }
        return new ApiError(
                "Internal error (request " + requestId + ")",
                500,
                ErrorCode.INTERNAL.name(),
                requestId);
    }

    /** The JSON body. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("detail", detail);
        json.put("status", status);
        json.put("error", error);
        json.put("request_id", requestId);
        return json;
    }
}
