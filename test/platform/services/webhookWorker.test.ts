import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLauncher, type Launcher } from '../../../src/platform/launcher.ts';
import { queueDelivery } from '../../../src/platform/model/webhookDeliveries.ts';
import { GIVE_UP_AFTER_MS, HOURLY_MS, nextAttemptAt } from '../../../src/platform/webhook/schedule.ts';
import { WebhookWorker } from '../../../src/platform/webhook/worker.ts';
import { createServices } from '../../../src/server/runtime.ts';
import type { Services } from '../../../src/server/services.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir, testConfig } from '../../support/db.ts';
import { WebhookReceiver } from './webhookReceiver.ts';

const SCORE = {
  userId: 'alan', scoreGiven: 5, scoreMaximum: 10, comment: null, activityProgress: 'Completed', gradingProgress: 'FullyGraded',
  timestamp: '2026-12-03T09:00:00Z', timestampMicros: Date.parse('2026-12-03T09:00:00Z') * 1000,
} as const;

describe.each(DIALECTS)('the score webhook’s delivery worker on %s', (dialect) => {
  let url: string | null = null;
  /** Two instances of the launcher on one database: each its own connection, the same master secret. */
  const instances: Services[] = [];
  let one: Launcher;
  let two: Launcher;
  let platformId: string;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    url = await freshDatabaseUrl(dialect);
    const dataDir = tempDir();
    const secret = randomBytes(32).toString('hex');
    for (let i = 0; i < 2; i++) {
      instances.push(await createServices(testConfig({ databaseUrl: url, dataDir }, { SECRET_KEY: secret }), { role: 'platform', logger: pino({ level: 'silent' }) }));
    }
    one = createLauncher(instances[0]!);
    two = createLauncher(instances[1]!);
    platformId = randomUUID();
    await one.platforms.insert({
      id: platformId, name: 'School', slug: 'school', discoveryUrl: 'https://idp.example/.well-known/openid-configuration', idpMetadata: {},
      clientId: 'c', clientSecretSealed: null, contextJwksUrl: null, contextPublicJwk: null, contextPublicKey: null,
      roleClaim: null, roleMap: null, scoreWebhookUrl: receiver.url, createdAt: 0, updatedAt: 0,
    });
  });
  afterAll(async () => {
    for (const services of instances) await services.db.destroy();
    await dropDatabase(url);
    await receiver.close();
  });

  const queue = (at: number) =>
    queueDelivery(instances[0]!.db, { platformId, contextId: 'physics', lineItemId: 'item-1', lineItemLabel: 'Quiz' }, { ...SCORE }, at);
  const row = async (id: string) => (await one.deliveries.find(platformId, id))!;

  it('retries after 1 s, 10 s, 1 min, 10 min, then hourly, and fails the delivery 24 hours after the score', async () => {
    receiver.received = [];
    receiver.otherwise = 500;
    const created = Date.parse('2026-12-04T08:00:00Z');
    const id = await queue(created);
    let now = created;
    const worker = new WebhookWorker(one, { now: () => now });
    const delays: number[] = [];
    for (let attempt = 1; attempt < 40; attempt++) {
      // Just before it is due, nothing is sent.
      if (attempt > 1) {
        now -= 1;
        expect(await worker.runOnce()).toBe(0);
        now += 1;
      }
      expect(await worker.runOnce()).toBe(1);
      const after = await row(id);
      expect(after.attempts).toBe(attempt);
      expect(after.lastStatus).toBe(500);
      if (after.status === 'failed') break;
      expect(after.status).toBe('pending');
      delays.push(after.nextAttemptAt! - now);
      now = after.nextAttemptAt!;
    }
    const hours = (GIVE_UP_AFTER_MS - (1_000 + 10_000 + 60_000 + 600_000)) / HOURLY_MS;
    expect(delays).toEqual([1_000, 10_000, 60_000, 600_000, ...new Array(Math.floor(hours)).fill(HOURLY_MS)]);
    const failed = await row(id);
    expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null, lastError: 'the receiver answered HTTP 500: receiver is down' });
    expect(now - created).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    expect(nextAttemptAt(failed.attempts, created, now)).toBeNull();
    // One jti on every attempt.
    expect(new Set(receiver.received.map((r) => r.jti))).toEqual(new Set([id]));
    expect(receiver.received).toHaveLength(failed.attempts);
    receiver.otherwise = 200;
  });

  it('delivers each row once when two instances’ workers race over the same outbox', async () => {
    receiver.received = [];
    receiver.delayMs = 5;
    const now = Date.now();
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add(await queue(now));
    const workers = [new WebhookWorker(one, { batch: 20 }), new WebhookWorker(two, { batch: 20 })];
    for (let pass = 0; pass < 10; pass++) {
      const [a, b] = await Promise.all(workers.map((w) => w.runOnce()));
      if (a! + b! === 0) break;
    }
    receiver.delayMs = 0;
    expect(receiver.received.map((r) => r.jti).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
  });

  it('sends a delivery again once the lease of a worker that never reported has lapsed (at least once)', async () => {
    receiver.received = [];
    const now = Date.now();
    const id = await queue(now);
    // An instance takes the row and dies before sending.
    expect(await two.deliveries.claim(await row(id), now + 60_000)).toBe(true);
    expect(await new WebhookWorker(one, { now: () => now + 59_999 }).runOnce()).toBe(0);
    expect(await new WebhookWorker(one, { now: () => now + 60_000 }).runOnce()).toBe(1);
    expect(receiver.received.map((r) => r.jti)).toEqual([id]);
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('records an unreachable receiver’s error, and a platform that lost its URL, as failed attempts', async () => {
    const now = Date.now();
    const id = await queue(now);
    await one.platforms.update({ ...(await one.platforms.get(platformId)), scoreWebhookUrl: 'http://127.0.0.1:9/nothing-listens' });
    await new WebhookWorker(one, { now: () => now }).runOnce();
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: expect.stringContaining('ECONNREFUSED'), nextAttemptAt: now + 1_000 });
    await one.platforms.update({ ...(await one.platforms.get(platformId)), scoreWebhookUrl: null });
    await new WebhookWorker(one, { now: () => now + 1_000 }).runOnce();
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 2, lastError: 'the platform has no score webhook URL any more', nextAttemptAt: now + 11_000 });
    await one.platforms.update({ ...(await one.platforms.get(platformId)), scoreWebhookUrl: receiver.url });
  });
});
