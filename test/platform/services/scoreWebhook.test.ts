import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLauncher } from '../../../src/platform/launcher.ts';
import { GIVE_UP_AFTER_MS } from '../../../src/platform/webhook/schedule.ts';
import { WebhookWorker } from '../../../src/platform/webhook/worker.ts';
import { ConsoleClient } from '../../support/adminClient.ts';
import { DIALECTS } from '../../support/db.ts';
import { readForm, textOf } from '../../support/htmlForm.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { AGS_SCOPES, agsClaimOf, createLineItem, firstTool, launch, postScore, tokenFor } from './agsWorld.ts';
import { WebhookReceiver, eventually } from './webhookReceiver.ts';

const ALL = Object.values(AGS_SCOPES);

describe.each(DIALECTS)('the score webhook on %s', (dialect) => {
  let world: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.close());

  const deliveries = async (status?: string): Promise<Array<Record<string, any>>> => {
    const res = await world.admin(`/platforms/${world.platform.id}/webhook_deliveries${status ? `?status=${status}` : ''}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { webhook_deliveries: Array<Record<string, any>> }).webhook_deliveries;
  };
  const setWebhook = async (url: string | null) => {
    const res = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { score_webhook_url: url } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, any>).score_webhook_url).toBe(url);
  };
  /** A line item of the world's tool in `context`, after a launch of `user` there; and a score token. */
  const gradedItem = async (context: string, user: string, label: string) => {
    const tool = firstTool(world);
    const container = agsClaimOf(await launch(world, tool, user, context))!.lineitems;
    const token = await tokenFor(world, tool, ALL);
    const item = await createLineItem(container, token, { label, scoreMaximum: 10 });
    return { item, token, shortId: String(item.id).split('/').pop()! };
  };

  it('queues nothing for a platform without a webhook URL', async () => {
    const { item, token } = await gradedItem('history', 'alan', 'Essay');
    const res = await postScore(item.id, token, { userId: 'alan', scoreGiven: 7, scoreMaximum: 10, timestamp: '2026-12-01T10:00:00Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(res.status).toBe(200);
    expect(await deliveries()).toEqual([]);
  });

  it('refuses a webhook URL that is not an absolute http(s) URL without credentials or fragment, naming the field', async () => {
    for (const bad of ['not a url', 'ftp://portal.example/hooks', 'https://user:secret@portal.example/hooks', 'https://portal.example/hooks#scores', 42]) {
      const res = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { score_webhook_url: bad } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as Record<string, any>;
      expect(body.error).toBe('validation_failed');
      expect(Object.keys(body.fields)).toEqual(['score_webhook_url']);
    }
    // The server POSTs there: without ALLOW_PRIVATE_URLS, a private or loopback target is refused.
    const { config } = world.launcher.services;
    config.allowPrivateUrls = false;
    try {
      const res = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { score_webhook_url: receiver.url } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Record<string, any>).fields.score_webhook_url).toMatch(/private or loopback address.*ALLOW_PRIVATE_URLS/);
    } finally {
      config.allowPrivateUrls = true;
    }
    const stored = (await (await world.admin(`/platforms/${world.platform.id}`)).json()) as Record<string, any>;
    expect(stored.score_webhook_url).toBeNull();
  });

  it('POSTs an accepted score as a JWT that verifies with the platform’s JWKS URL, with every field', async () => {
    await setWebhook(receiver.url);
    const { item, token, shortId } = await gradedItem('physics', 'alan', 'Quiz 1');
    receiver.received = [];
    const stamp = '2026-12-03T09:15:30.123456Z';
    const res = await postScore(item.id, token, { userId: 'alan', scoreGiven: 8.5, scoreMaximum: 10, comment: 'Well done', timestamp: stamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(res.status).toBe(200);

    const received = await eventually(() => receiver.received, (r) => r.length > 0);
    expect(received).toHaveLength(1);
    expect(received[0]!.contentType).toBe('application/jwt');
    const jwt = received[0]!.body;
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(world.platform.jwks_url)), { issuer: world.platform.issuer, audience: receiver.url });
    const [row] = await deliveries();
    expect(payload).toEqual({
      iss: world.platform.issuer, aud: receiver.url, jti: row!.id, iat: expect.any(Number), exp: (payload.iat as number) + 300,
      event: 'score', context_id: 'physics', line_item: { id: shortId, label: 'Quiz 1' }, user_id: 'alan',
      score_given: 8.5, score_maximum: 10, comment: 'Well done', activity_progress: 'Completed', grading_progress: 'FullyGraded', timestamp: stamp,
    });
    // Signed by the launcher's current key: the one its JWKS lists first.
    const current = (await world.launcher.services.keys.list()).find((k) => k.status === 'current')!;
    expect(decodeProtectedHeader(jwt).kid).toBe(current.kid);
    const delivered = await eventually(() => deliveries(), (rows) => rows[0]?.status === 'delivered');
    expect(delivered[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200, last_error: null, next_attempt_at: null, context_id: 'physics', user_id: 'alan', line_item: { id: shortId, label: 'Quiz 1' } });
  });

  it('retries a delivery the receiver answered 500 with the same jti, and ends delivered', async () => {
    await setWebhook(receiver.url);
    const { item, token } = await gradedItem('chemistry', 'alan', 'Lab');
    receiver.received = [];
    receiver.answers = [500];
    expect((await postScore(item.id, token, { userId: 'alan', scoreGiven: 3, scoreMaximum: 10, timestamp: '2026-12-03T10:00:00Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).status).toBe(200);
    const received = await eventually(() => receiver.received, (r) => r.length >= 2);
    expect(received.map((r) => r.jti)).toEqual([received[0]!.jti, received[0]!.jti]);
    const [row] = await eventually(() => deliveries(), (rows) => rows[0]?.status === 'delivered');
    expect(row).toMatchObject({ id: received[0]!.jti, status: 'delivered', attempts: 2, last_status: 200 });
  });

  it('writes no delivery for a score refused with 409', async () => {
    await setWebhook(receiver.url);
    const { item, token } = await gradedItem('biology', 'alan', 'Test');
    expect((await postScore(item.id, token, { userId: 'alan', scoreGiven: 9, scoreMaximum: 10, timestamp: '2026-12-03T12:00:00Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).status).toBe(200);
    const before = (await deliveries()).length;
    const stale = await postScore(item.id, token, { userId: 'alan', scoreGiven: 1, scoreMaximum: 10, timestamp: '2026-12-03T11:00:00Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(stale.status).toBe(409);
    expect(await deliveries()).toHaveLength(before);
    await eventually(() => deliveries('pending'), (rows) => rows.length === 0);
  });

  it('shows a failed delivery in the console, and retry now makes it due so it is delivered', async () => {
    await setWebhook(receiver.url);
    const { item, token } = await gradedItem('geography', 'alan', 'Map quiz');
    receiver.otherwise = 503;
    try {
      expect((await postScore(item.id, token, { userId: 'alan', scoreGiven: 4, scoreMaximum: 10, timestamp: '2026-12-03T13:00:00Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).status).toBe(200);
      const [pending] = await eventually(() => deliveries(), (rows) => rows[0]?.attempts >= 1 && rows[0]?.last_status === 503);
      expect(pending).toMatchObject({ status: 'pending', context_id: 'geography' });
      // A day later by another instance's clock: its next attempt fails for good.
      const later = new WebhookWorker(createLauncher(world.launcher.services), { now: () => Date.parse(pending!.created_at) + GIVE_UP_AFTER_MS + 60_000 });
      const [failed] = await eventually(async () => (await later.runOnce(), deliveries()), (rows) => rows[0]?.status === 'failed');
      expect(failed).toMatchObject({ id: pending!.id, status: 'failed', last_status: 503, next_attempt_at: null });
      expect((await deliveries('failed')).map((d) => d.id)).toEqual([pending!.id]);

      const console = new ConsoleClient(world.launcher.url);
      const edit = await console.get(`/admin/platforms/${world.platform.id}/edit`);
      expect(edit.html).toMatch(new RegExp(`name="score_webhook_url"[^>]*value="${receiver.url}"`));
      const platformPage = await console.get(`/admin/platforms/${world.platform.id}`);
      expect(platformPage.html).toContain(receiver.url);
      expect(platformPage.html).toMatch(/<strong>1 failed<\/strong>/);
      const page = await console.get(`/admin/platforms/${world.platform.id}/webhook-deliveries?status=failed`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('failed — gave up');
      expect(page.html).toContain('the receiver answered HTTP 503');
      expect(page.html).toContain('Map quiz');
      const retryAction = `/admin/platforms/${world.platform.id}/webhook-deliveries/${failed!.id}/retry`;
      expect(page.html).toContain(`action="${retryAction}"`);

      receiver.otherwise = 200;
      const token2 = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
      // Without the console's CSRF token the retry is refused.
      expect((await console.post(retryAction, {})).status).toBe(403);
      const retried = await console.post(retryAction, { _csrf: token2 });
      expect(retried.status).toBe(303);
      const [due] = await deliveries();
      expect(due!.status === 'pending' || due!.status === 'delivered').toBe(true);
      const [done] = await eventually(() => deliveries(), (rows) => rows[0]?.status === 'delivered');
      expect(done).toMatchObject({ id: failed!.id, status: 'delivered', last_status: 200 });
      // A delivered one cannot be retried.
      const again = await world.admin(`/platforms/${world.platform.id}/webhook_deliveries/${failed!.id}/retry`, { method: 'POST' });
      expect(again.status).toBe(404);
      expect(((await again.json()) as Record<string, any>).error).toBe('webhook_delivery_not_found');
    } finally {
      receiver.otherwise = 200;
    }
  });

  it('saves and clears the webhook URL from the console’s platform form', async () => {
    const console = new ConsoleClient(world.launcher.url);
    const edit = (await console.get(`/admin/platforms/${world.platform.id}/edit`)).html;
    // The form as the browser sends it: its inputs and its text areas (the course-context key, the role map) as they are.
    const fields = { ...readForm(edit).fields, context_key: textOf(edit, 'f-context_key')!, role_map: textOf(edit, 'f-role_map')!, action: 'save' };
    expect(fields.context_key).toContain('portal-1');
    const save = (url: string) => console.post(`/admin/platforms/${world.platform.id}`, { ...fields, score_webhook_url: url });
    const saved = await save('https://portal.example/hooks/grades');
    expect(saved.status).toBe(303);
    const stored = async () => ((await (await world.admin(`/platforms/${world.platform.id}`)).json()) as Record<string, any>).score_webhook_url;
    expect(await stored()).toBe('https://portal.example/hooks/grades');
    const refused = await save('https://portal.example/hooks#grades');
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('Score webhook URL');
    expect((await save('')).status).toBe(303);
    expect(await stored()).toBeNull();
    const platform = (await (await world.admin(`/platforms/${world.platform.id}`)).json()) as Record<string, any>;
    expect(platform.context_public_jwk).toEqual(world.platform.context_public_jwk);
    expect(platform.role_map).toEqual(world.platform.role_map);
  });

  it('refuses a delivery list with an unknown status (400)', async () => {
    const res = await world.admin(`/platforms/${world.platform.id}/webhook_deliveries?status=lost`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, any>).error).toBe('request_invalid');
  });
});
