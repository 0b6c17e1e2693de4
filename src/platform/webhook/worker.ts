import type { Launcher } from '../launcher.ts';
import type { Platform } from '../model/platforms.ts';
import type { WebhookDelivery } from '../model/webhookDeliveries.ts';
import { platformIssuer } from '../tenancy.ts';
import { nextAttemptAt } from './schedule.ts';
import { scoreEventClaims } from './scoreEvent.ts';

export interface WebhookWorkerOptions {
  /** The clock (tests move it by hand). */
  now?: () => number;
  /** How often the outbox is read for due deliveries. */
  pollMs?: number;
  /** How long a claimed delivery is this worker's before another instance may take it. */
  leaseMs?: number;
  /** How long the receiver has to answer. */
  timeoutMs?: number;
  /** At most this many deliveries per pass, sent at once. */
  batch?: number;
}

/**
 * The score webhook's sender, one per instance (started by the launcher's composition root,
 * src/apps/launcher.ts): reads the outbox, claims each due delivery (so instances sharing a
 * database never send the same attempt at once), POSTs it as a JWT the launcher signs, and
 * records the answer: 2xx delivered, anything else due again on the schedule (./schedule.ts).
 * A worker that dies mid-attempt leaves the row to the next after its lease: at least once.
 */
export class WebhookWorker {
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<number> | null = null;

  constructor(private readonly launcher: Launcher, options: WebhookWorkerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batch = options.batch ?? 20;
  }

  start(): void {
    if (this.timer) return;
    // A full batch means more may be due (a class's scores at once): the next pass starts at once.
    const drain = async () => {
      while ((await this.runOnce()) === this.batch && this.timer);
    };
    this.timer = setInterval(() => {
      if (!this.pass) void drain().catch(() => {});
    }, this.pollMs);
    this.timer.unref();
  }

  /** Stops polling and waits for the pass in flight (its answers are recorded). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass?.catch(() => {});
  }

  /** One pass over the due deliveries; how many this worker attempted. */
  runOnce(): Promise<number> {
    if (this.pass) return this.pass;
    this.pass = this.sendDue().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private async sendDue(): Promise<number> {
    const { deliveries } = this.launcher;
    try {
      const due = await deliveries.due(this.now(), this.batch);
      const platforms = new Map<string, Promise<Platform>>();
      const platformOf = (id: string) => {
        if (!platforms.has(id)) platforms.set(id, this.launcher.platforms.get(id));
        return platforms.get(id)!;
      };
      const sent = await Promise.all(due.map(async (delivery) => {
        const leaseUntil = this.now() + this.leaseMs;
        if (!(await deliveries.claim(delivery, leaseUntil))) return 0;
        await this.attempt({ ...delivery, attempts: delivery.attempts + 1 }, leaseUntil, await platformOf(delivery.platformId));
        return 1;
      }));
      return sent.reduce<number>((a, b) => a + b, 0);
    } catch (err) {
      this.launcher.services.log.warn({ err }, 'score webhook: reading the outbox failed; will retry');
      return 0;
    }
  }

  private async attempt(delivery: WebhookDelivery, leaseUntil: number, platform: Platform): Promise<void> {
    const { services, deliveries } = this.launcher;
    const answer = await this.post(delivery, platform);
    if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
      await deliveries.delivered(delivery.id, answer.status, this.now());
      return;
    }
    const next = nextAttemptAt(delivery.attempts, delivery.createdAt, this.now());
    await deliveries.attemptFailed(delivery.id, leaseUntil, { status: answer.status, error: answer.error, nextAttemptAt: next });
    // The JWT is never logged: the delivery's id finds it in the console.
    services.log.warn(
      { delivery: delivery.id, platform: platform.id, attempts: delivery.attempts, status: answer.status, error: answer.error, next_attempt_at: next === null ? null : new Date(next).toISOString() },
      next === null ? 'score webhook delivery failed for good' : 'score webhook delivery failed; will retry',
    );
  }

  /** The receiver's status, or null and why there was none (no URL, the URL policy, the network, the timeout). */
  private async post(delivery: WebhookDelivery, platform: Platform): Promise<{ status: number | null; error: string }> {
    const { services } = this.launcher;
    const url = platform.scoreWebhookUrl;
    if (!url) return { status: null, error: 'the platform has no score webhook URL any more' };
    try {
      const jwt = await services.keys.sign(scoreEventClaims(delivery, { issuer: platformIssuer(services.config, platform.slug), url }, this.now()));
      const response = await services.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/jwt' },
        body: jwt,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = (await response.text()).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
      return { status: response.status, error: `the receiver answered HTTP ${response.status}${text ? `: ${text}` : ''}` };
    } catch (err) {
      return { status: null, error: failureOf(err, this.timeoutMs) };
    }
  }
}

/** A failed request in a line: its cause, not fetch's generic "fetch failed". */
function failureOf(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: Error & { code?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause;
  if (cause) return cause.code ? `${cause.code}: ${cause.message}` : cause.message;
  return error.message;
}
