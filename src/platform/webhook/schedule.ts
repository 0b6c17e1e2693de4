/**
 * When a score webhook delivery that did not get a 2xx is tried again (issue 16, contract
 * details): about 1 s, 10 s, 1 min and 10 min after the first attempts, then every hour, until
 * 24 hours after the score came; an attempt that would fall later is not made and the delivery is
 * failed (the console shows it, with "retry now").
 */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 10_000, 60_000, 600_000];
export const HOURLY_MS = 3_600_000;
export const GIVE_UP_AFTER_MS = 24 * HOURLY_MS;

/**
 * The time of the next attempt after `attempts` failed ones (the latest at `now`), or null when
 * the delivery has run out of time.
 */
export function nextAttemptAt(attempts: number, createdAt: number, now: number): number | null {
  const delay = RETRY_DELAYS_MS[attempts - 1] ?? HOURLY_MS;
  const next = now + delay;
  return next > createdAt + GIVE_UP_AFTER_MS ? null : next;
}
