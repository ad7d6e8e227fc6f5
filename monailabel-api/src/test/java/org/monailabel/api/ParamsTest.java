package org.monailabel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.monailabel.api.error.ErrorCode;
import org.monailabel.api.error.InvalidInputException;

class ParamsTest {
    @Test
    void requestValuesWinOverDefaultsAndListDefaultsMeanTheirFirstElement() {
        Params p =
                Params.of(Map.of("largest_cc", true))
                        .withDefaults(
                                Map.of(
                                        "largest_cc",
                                        false,
                                        "device",
                                        List.of("cpu", "cuda"),
                                        "roi",
                                        96));
        assertThat(p.getBoolean("largest_cc", false)).isTrue();
        assertThat(p.getString("device", "")).isEqualTo("cpu");
        assertThat(p.getInt("roi", 0)).isEqualTo(96);
    }

    @Test
    void readsClicksAsIntegerPoints() {
        Params p =
                Params.of(Map.of("foreground", List.of(List.of(10L, 20.0, 3), List.of(1, 2, 3))));
        assertThat(p.getPoints("foreground"))
                .extracting(Arrays::toString)
                .containsExactly("[10, 20, 3]", "[1, 2, 3]");
        assertThat(p.getPoints("background")).isEmpty();
    }

    @Test
    void wrongTypesAreInvalidInputNamingTheKey() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("n", "abc");
        values.put("pts", List.of("x"));
        values.put("flag", 3);
        values.put("half", 1.5);
        Params p = Params.of(values);
        assertThatThrownBy(() -> p.getInt("n", 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'n'");
        assertThatThrownBy(() -> p.getPoints("pts")).hasMessageContaining("'pts'");
        assertThatThrownBy(() -> p.getBoolean("flag", false)).hasMessageContaining("'flag'");
        assertThatThrownBy(() -> p.getInt("half", 0)).hasMessageContaining("an integer");
        assertThat(p.getDouble("half", 0)).isEqualTo(1.5);
    }

    @Test
    void numericStringsAreAccepted() {
        Params p = Params.of(Map.of("n", " 12 ", "b", "TRUE"));
        assertThat(p.getInt("n", 0)).isEqualTo(12);
        assertThat(p.getBoolean("b", false)).isTrue();
    }

    @Test
    void appConfigHasTypedGetters() {
        AppConfig c =
                AppConfig.of(
                        Map.of("models", " seg , deepedit,,", "n", "5", "on", "yes", "bad", "x"));
        assertThat(c.getList("models")).containsExactly("seg", "deepedit");
        assertThat(c.getInt("n", 0)).isEqualTo(5);
        assertThat(c.getBoolean("on", false)).isTrue();
        assertThat(c.getInt("missing", 7)).isEqualTo(7);
        assertThatThrownBy(() -> c.getDouble("bad", 0))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).code())
                .isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void errorCodesFixTheHttpStatus() {
        assertThat(ErrorCode.INVALID_INPUT.httpStatus()).isEqualTo(400);
        assertThat(ErrorCode.UNAUTHORIZED.httpStatus()).isEqualTo(401);
        assertThat(ErrorCode.FORBIDDEN.httpStatus()).isEqualTo(403);
        assertThat(ErrorCode.NOT_FOUND.httpStatus()).isEqualTo(404);
        assertThat(ErrorCode.CONFLICT.httpStatus()).isEqualTo(409);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
        assertThat(ErrorCode.ALREADY_RUNNING.httpStatus()).isEqualTo(429);
        assertThat(ErrorCode.TOO_MANY_ATTEMPTS.httpStatus()).isEqualTo(429);
        assertThat(ErrorCode.BUSY.httpStatus()).isEqualTo(503);
        assertThat(ErrorCode.INFERENCE_FAILED.httpStatus()).isEqualTo(500);
    }

    @Test
    void taskNamesMayNotBePathsOrEmpty() {
        assertThatThrownBy(() -> new ComponentInfo("../x", "d"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentInfo(" ", "d"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new ComponentInfo("Histogram+GraphCut", "d").name())
                .isEqualTo("Histogram+GraphCut");
        assertThatThrownBy(() -> new ModelInfo("m", ModelType.DEEPGROW, Map.of(), 4, "d", Map.of()))
                .hasMessageContaining("dimension");
    }
}
