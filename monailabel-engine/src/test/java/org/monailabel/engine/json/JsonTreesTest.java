package org.monailabel.engine.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.monailabel.api.error.InvalidInputException;

class JsonTreesTest {
    @Test
    void numbersBecomeLongOrDoubleAndKeepTheirText() {
        JsonObject tree =
                JsonTrees.parseObject(
                        "{\"ts\": 1733700000, \"f\": 2.50, \"e\": 1e-7, \"neg\": -3, \"big\":"
                                + " 12345678901234567890}");
        Map<String, Object> map = JsonTrees.toJavaMap(tree);
        assertThat(map)
                .containsEntry("ts", 1733700000L)
                .containsEntry("f", 2.5)
                .containsEntry("e", 1e-7)
                .containsEntry("neg", -3L)
                .containsEntry("big", 1.2345678901234567e19);
        assertThat(JsonTrees.toCompactString(tree))
                .isEqualTo(
                        "{\"ts\":1733700000,\"f\":2.50,\"e\":1e-7,\"neg\":-3,\"big\":12345678901234567890}");
    }

    @Test
    void roundTripKeepsStructureNullsAndOrder() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("z", null);
        map.put("a", List.of(1L, 2.5, true, "s", Map.of("k", List.of())));
        map.put("b", Map.of());
        JsonObject tree = JsonTrees.toJsonObject(map);
        assertThat(JsonTrees.toCompactString(tree))
                .isEqualTo("{\"z\":null,\"a\":[1,2.5,true,\"s\",{\"k\":[]}],\"b\":{}}");
        assertThat(JsonTrees.toJavaMap(tree)).isEqualTo(map).containsKey("z");
        assertThat(JsonTrees.toJava(JsonTrees.toJson(new Object[] {1, "x"})))
                .isEqualTo(Arrays.asList(1L, "x"));
    }

    @Test
    void prettyOutputUsesTwoSpacesAndNoHtmlEscapes() {
        assertThat(JsonTrees.toPrettyString(JsonTrees.toJson(Map.of("a", "<&>"))))
                .isEqualTo("{\n  \"a\": \"<&>\"\n}");
    }

    @Test
    void unsupportedValuesAreRefused() {
        assertThatThrownBy(() -> JsonTrees.toJson(Double.NaN))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> JsonTrees.toJson(new Object()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> JsonTrees.parseObject("[1]"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> JsonTrees.parseObject("{"))
                .isInstanceOf(InvalidInputException.class);
    }
}
