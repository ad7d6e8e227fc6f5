package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.monailabel.api.Params;
import org.monailabel.api.error.InvalidInputException;

class ClicksTest {
    static final int[] SHAPE = {64, 48, 20};

    @Test
    void readsVoxelIndicesInsideTheImage() {
        Params p =
                Params.of(Map.of("foreground", List.of(List.of(0, 0, 0), List.of(63, 47, 19.4))));
        assertThat(Clicks.read(p, "foreground", SHAPE))
                .hasSize(2)
                .last()
                .isEqualTo(new int[] {63, 47, 19});
        assertThat(Clicks.read(p, "background", SHAPE)).isEmpty();
    }

    @Test
    void refusesClicksOutsideTheVolumeNamingThem() {
        for (List<?> click :
                List.of(List.of(64, 0, 0), List.of(0, -1, 0), List.of(0, 0, 20), List.of(1, 2))) {
            Params p = Params.of(Map.of("foreground", List.of(click)));
            assertThatThrownBy(() -> Clicks.read(p, "foreground", SHAPE))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("Click [")
                    .hasMessageContaining("'foreground'");
        }
    }

    @Test
    void sliceIsRequiredAndInRange() {
        assertThat(Clicks.slice(Params.of(Map.of("slice", 19)), SHAPE)).isEqualTo(19);
        assertThatThrownBy(() -> Clicks.slice(Params.empty(), SHAPE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'slice'");
        assertThatThrownBy(() -> Clicks.slice(Params.of(Map.of("slice", 20)), SHAPE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Slice 20 is outside");
    }

    @Test
    void roiIsInclusiveAndClampedEmptyMeansWhole() {
        int[][] roi = Clicks.roi(Params.of(Map.of("roi", List.of(10, 20, -5, 5, 3, 99))), SHAPE);
        assertThat(roi[0]).containsExactly(10, 0, 3);
        assertThat(roi[1]).containsExactly(21, 6, 20);
        assertThat(Clicks.roi(Params.of(Map.of("roi", List.of())), SHAPE)[1])
                .containsExactly(SHAPE);
        assertThatThrownBy(() -> Clicks.roi(Params.of(Map.of("roi", List.of(1, 2))), SHAPE))
                .isInstanceOf(InvalidInputException.class);
    }
}
