package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SampleLeasesTest {
    /** A clock the test moves. */
    static final class Manual extends Clock {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final Manual clock = new Manual();
    final SampleLeases leases = new SampleLeases(Duration.ofSeconds(900), clock);
    final String a = SampleLeases.holder(new Actor("anonymous", ""), "slicer-a");
    final String b = SampleLeases.holder(new Actor("anonymous", ""), "slicer-b");

    @Test
    void anImageLeasedToOneClientIsHiddenFromOthersUntilTheLeaseEnds() {
        assertThat(leases.acquire(a, "img1")).hasValue(clock.now.plusSeconds(900));
        assertThat(leases.heldByOthers(b)).containsExactly("img1");
        assertThat(leases.heldByOthers(a)).isEmpty();
        assertThat(leases.acquire(b, "img1")).isEmpty();
        assertThat(leases.acquire(a, "img1")).as("its own lease back").isPresent();

        clock.now = clock.now.plusSeconds(901);
        assertThat(leases.heldByOthers(b)).isEmpty();
        assertThat(leases.acquire(b, "img1")).isPresent();
    }

    @Test
    void aClientHoldsOneImageAndAFinalLabelFreesIt() {
        leases.acquire(a, "img1");
        leases.acquire(a, "img2"); // its lease moves
        assertThat(leases.heldByOthers(b)).containsExactly("img2");
        leases.release("img2");
        assertThat(leases.heldByOthers(b)).isEmpty();
    }

    @Test
    void aLeaseTimeOfZeroLeasesNothing() {
        SampleLeases off = new SampleLeases(Duration.ZERO, clock);
        off.acquire(a, "img1");
        assertThat(off.acquire(b, "img1")).isPresent();
        assertThat(off.heldByOthers(b)).isEmpty();
    }
}
