import FakeTimers from "@sinonjs/fake-timers";

/** A fake clock that `using` uninstalls at the end of the test. */
export type FakeClock = FakeTimers.Clock & Disposable;

/**
 * Fakes `setTimeout`, `clearTimeout` and `Date`, and nothing else: the
 * sockets of the stub server and `AbortSignal.timeout` stay on real time.
 */
export function useFakeTime(): FakeClock {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "Date"],
    now: Date.UTC(2026, 10, 28, 12, 0, 0),
  });
  return Object.assign(clock, {
    [Symbol.dispose]: () => clock.uninstall(),
  });
}
