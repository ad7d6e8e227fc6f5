package org.monailabel.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.monailabel.api.error.TooManyAttemptsException;
import org.monailabel.testing.MutableClock;

class LoginThrottleTest {
    final MutableClock clock = MutableClock.now();
    final LoginThrottle throttle = new LoginThrottle(clock);

    private void fail(String user, String address) {
        throttle.begin(user, address); // counted as a failure until it succeeds
    }

    @Test
    void fiveFailuresAreFreeThenTheNameIsLockedOutForGrowingTimes() {
        for (int i = 0; i < LoginThrottle.FREE_PER_USER; i++) {
            fail("alice", "10.0.0." + i);
        }
        assertThatThrownBy(() -> throttle.begin("alice", "10.0.0.9"))
                .isInstanceOfSatisfying(
                        TooManyAttemptsException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        assertThatThrownBy(() -> throttle.begin("ALICE", "10.0.0.9"))
                .as("names differing in case share a count")
                .isInstanceOf(TooManyAttemptsException.class);
        throttle.begin("bob", "10.0.0.9"); // another name is not affected
        long[] expected = {2, 4, 8, 16};
        for (long seconds : expected) {
            clock.advance(Duration.ofSeconds(seconds / 2));
            fail("alice", "10.0.1.1");
            assertThatThrownBy(() -> throttle.begin("alice", "10.0.1.2"))
                    .isInstanceOfSatisfying(
                            TooManyAttemptsException.class,
                            e -> assertThat(e.retryAfterSeconds()).isEqualTo(seconds));
        }
    }

    @Test
    void theLockIsCappedAndForgottenAfterAnHourWithoutFailures() {
        assertThat(LoginThrottle.lockFor(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(LoginThrottle.lockFor(9)).isEqualTo(Duration.ofSeconds(512));
        assertThat(LoginThrottle.lockFor(10)).isEqualTo(LoginThrottle.MAX_LOCK);
        assertThat(LoginThrottle.lockFor(1000)).isEqualTo(LoginThrottle.MAX_LOCK);
        for (int i = 0; i < 8; i++) {
            fail("carol", "10.0.0.1");
            clock.advance(Duration.ofMinutes(20));
        }
        clock.advance(Duration.ofMinutes(50)); // 70 minutes after the last failure
        for (int i = 0; i < LoginThrottle.FREE_PER_USER; i++) {
            fail("carol", "10.0.0.1");
        }
    }

    @Test
    void aSuccessClearsTheNameButNotTheAddress() {
        for (int i = 0; i < LoginThrottle.FREE_PER_USER - 1; i++) {
            fail("dave", "10.0.0.5");
        }
        throttle.begin("dave", "10.0.0.5");
        throttle.succeeded("dave", "10.0.0.5");
        for (int i = 0; i < LoginThrottle.FREE_PER_USER; i++) {
            fail("dave", "10.0.0.6");
        }
        assertThatThrownBy(() -> throttle.begin("dave", "10.0.0.7"))
                .isInstanceOf(TooManyAttemptsException.class);
    }

    @Test
    void oneAddressGuessingManyNamesIsLockedOut() {
        for (int i = 0; i < LoginThrottle.FREE_PER_ADDRESS; i++) {
            fail("user" + i, "192.168.1.20");
        }
        assertThatThrownBy(() -> throttle.begin("someone-else", "192.168.1.20"))
                .isInstanceOf(TooManyAttemptsException.class);
        throttle.begin("someone-else", "192.168.1.21");
        // a success elsewhere does not unlock the guessing address
        throttle.succeeded("someone-else", "192.168.1.21");
        assertThatThrownBy(() -> throttle.begin("user0", "192.168.1.20"))
                .isInstanceOf(TooManyAttemptsException.class);
    }

    @Test
    void attemptsInFlightCountSoParallelGuessesAreBoundedToo() {
        for (int i = 0; i < LoginThrottle.FREE_PER_USER; i++) {
            throttle.begin("erin", "10.1.0." + i); // none has finished
        }
        assertThatThrownBy(() -> throttle.begin("erin", "10.1.0.99"))
                .isInstanceOf(TooManyAttemptsException.class);
        throttle.cancelled("erin", "10.1.0.0");
        throttle.begin("erin", "10.1.0.99");
    }
}
