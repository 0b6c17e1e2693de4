import { randomBytes, randomUUID } from 'node:crypto';
import { importJWK, jwtVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/keys/keyring.ts';
import { SecretBox } from '../../src/keys/secretBox.ts';
import { deleteExpired } from '../../src/store/cleanup.ts';
import { createDb, type Db } from '../../src/store/db.ts';
import { LaunchLog } from '../../src/store/launchLog.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { useNonce } from '../../src/store/nonces.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';

describe.each(DIALECTS)('storage on %s', (dialect) => {
  let db: Db;
  let url: string | null;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb({ databaseUrl: url, dataDir: tempDir() });
    await migrateToLatest(db);
    await migrateToLatest(db); // idempotent
  });
  afterAll(async () => {
    await db.destroy();
    await dropDatabase(url);
  });

  it('accepts a nonce once, across callers, and refuses the replay', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => useNonce(db, 'tool-1', 'n-abc', Date.now() + 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await useNonce(db, 'tool-2', 'n-abc', Date.now() + 60_000)).toBe(true);
  });

  it('deletes expired rows and keeps live ones', async () => {
    await useNonce(db, 's', 'old', Date.now() - 1);
    await useNonce(db, 's', 'live', Date.now() + 60_000);
    expect(await deleteExpired(db)).toBeGreaterThanOrEqual(1);
    expect(await useNonce(db, 's', 'old', Date.now() + 60_000)).toBe(true);
    expect(await useNonce(db, 's', 'live', Date.now() + 60_000)).toBe(false);
  });

  it('deletes the gateway’s score timestamps a day old, and the next score for that user is stamped after them still', async () => {
    const { ScoreTimestamps } = await import('../../src/tool/model/scoreTimestamps.ts');
    const stamps = new ScoreTimestamps(db);
    const dayAgo = Date.now() - 86_400_000 - 1000;
    expect(await stamps.next('https://lms.example/li/1', 'old-user', 0, dayAgo)).toBe(dayAgo);
    const recent = await stamps.next('https://lms.example/li/1', 'recent-user');
    await deleteExpired(db);
    const left = await db.selectFrom('score_timestamps').select('last_ms').execute();
    expect(left.map((r) => Number(r.last_ms))).toEqual([recent]);
    // The old user's row is gone; their next score is stamped now, well after the deleted one.
    expect(await stamps.next('https://lms.example/li/1', 'old-user')).toBeGreaterThan(dayAgo);
  });

  it('deletes launch-log entries older than the retention period, and keeps newer ones', async () => {
    const log = new LaunchLog(db);
    const old = await log.start({ role: 'tool', step: 'x' });
    const fresh = await log.start({ role: 'tool', step: 'x' });
    await db.updateTable('launch_log').set({ created_at: Date.now() - 31 * 86_400_000 }).where('id', '=', old).execute();
    await deleteExpired(db, { launchLogRetentionDays: 30 });
    expect(await log.get(old)).toBeNull();
    expect(await log.get(fresh)).not.toBeNull();
  });

  it('records launch steps and ends a launch as a failure with its code', async () => {
    const log = new LaunchLog(db);
    const id = await log.start({ role: 'platform', platformId: 'p1', step: 'launch_received' });
    await log.step(id, 'verify_context', {});
    await log.step(id, 'idp_callback', { failed: { code: 'idp_token_invalid', message: 'bad' } });
    const entry = await log.get(id);
    expect(entry).toMatchObject({ outcome: 'failure', failureCode: 'idp_token_invalid', platformId: 'p1' });
    expect(entry!.steps.map((s) => s.step)).toEqual(['launch_received', 'verify_context', 'idp_callback']);
    const listed = await log.list({ role: 'platform', outcome: 'failure', platformId: 'p1' });
    expect(listed.map((e) => e.id)).toContain(id);
    expect(await log.list({ role: 'tool' })).not.toContainEqual(expect.objectContaining({ id }));
  });

  it('stores a request id once per request and gives it back on every step of that request', async () => {
    const log = new LaunchLog(db);
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    const id = await log.start({ role: 'platform', platformId: 'p2', requestId: first, step: 'launch_received', then: [{ step: 'redirect_to_idp', outcome: 'ok', at: Date.now() }] });
    await log.step(id, 'redirect_to_tool_login', { requestId: second, passed: [{ step: 'consume_state', at: Date.now() }, { step: 'verify_idp_token', at: Date.now() }] });
    await log.step(id, 'post_id_token', { requestId: third, done: true, passed: [{ step: 'consume_login_hint', at: Date.now() }] });
    const stored = await db.selectFrom('launch_log').select('steps').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.steps.split(second)).toHaveLength(2);
    expect(stored.steps.split(third)).toHaveLength(2);
    const entry = await log.get(id);
    expect(entry!.requestId).toBe(first);
    expect(entry!.steps.map((s) => [s.step, s.request_id])).toEqual([
      ['launch_received', undefined], ['redirect_to_idp', undefined],
      ['consume_state', second], ['verify_idp_token', second], ['redirect_to_tool_login', second],
      ['consume_login_hint', third], ['post_id_token', third],
    ]);
    expect((await log.list({ role: 'platform', requestId: third })).map((e) => e.id)).toEqual([id]);
    expect((await log.list({ role: 'platform', requestId: second })).map((e) => e.id)).toEqual([id]);
  });

  it('reads an entry written under the step names before they were made verbs under today’s names', async () => {
    const log = new LaunchLog(db);
    const id = await log.start({ role: 'platform', platformId: 'p3', requestId: randomUUID(), step: 'launch_received', then: [{ step: 'idp_redirect', outcome: 'ok', at: Date.now() }] });
    await log.step(id, 'id_token_posted', { requestId: randomUUID(), done: true, passed: [{ step: 'login_hint', at: Date.now() }, { step: 'nonce_unused', at: Date.now() }] });
    const entry = await log.get(id);
    expect(entry!.steps.map((s) => s.step)).toEqual(['launch_received', 'redirect_to_idp', 'consume_login_hint', 'use_nonce', 'post_id_token']);
  });

  it('keeps signing keys encrypted, publishes current/next/previous, and rotates with overlap', async () => {
    const ring = new KeyRing(db, box, 'platform', 30);
    await ring.ensure();
    const rows = await db.selectFrom('signing_keys').selectAll().where('role', '=', 'platform').execute();
    for (const row of rows) {
      expect(row.private_jwk_enc).not.toContain('"d"');
      expect(JSON.parse(row.public_jwk).d).toBeUndefined();
    }
    const before = await ring.list();
    expect(before.map((k) => k.status)).toEqual(['current', 'next']);
    const token = await ring.sign({ sub: 'x' });
    await ring.rotate();
    const after = await ring.list();
    expect(after.map((k) => k.status)).toEqual(['current', 'next', 'previous']);
    expect(after[0].kid).toBe(before[1].kid); // next became current
    expect(after[2].kid).toBe(before[0].kid); // current became previous
    // A token signed before the rotation still verifies against the published set.
    const jwks = await ring.jwks();
    await expect(jwtVerify(token, createLocalJWKSet(jwks))).resolves.toBeTruthy();
    // A second instance sharing the database signs with the same current key.
    const other = new KeyRing(db, box, 'platform', 30);
    const t2 = await other.sign({ sub: 'y' });
    const { protectedHeader } = await jwtVerify(t2, createLocalJWKSet(jwks));
    expect(protectedHeader.kid).toBe(after[0].kid);
    // Rotating again drops the oldest key from the set.
    await ring.rotate();
    expect((await ring.jwks()).keys.map((k) => k.kid)).not.toContain(before[0].kid);
    // The other role's keys are separate.
    const toolRing = new KeyRing(db, box, 'tool', 30);
    await toolRing.ensure();
    expect((await toolRing.jwks()).keys.map((k) => k.kid)).not.toContain(after[0].kid);
  });

  it('rotates automatically when the current key is older than the rotation period', async () => {
    const ring = new KeyRing(db, box, 'tool', 1);
    await ring.ensure();
    const [current] = await ring.list();
    await ring.ensure(Date.now() + 2 * 86_400_000);
    const [after] = await ring.list();
    expect(after.kid).not.toBe(current.kid);
    expect(after.status).toBe('current');
  });
});

describe('secret box', () => {
  it('round-trips, and refuses another master key or a tampered value', async () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = await box.seal('client-secret-123');
    expect(sealed).not.toContain('client-secret-123');
    expect(await box.open(sealed)).toBe('client-secret-123');
    await expect(new SecretBox(randomBytes(32)).open(sealed)).rejects.toThrow();
    const parts = sealed.split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('AA') ? 'BB' : 'AA');
    await expect(box.open(parts.join('.'))).rejects.toThrow();
    void importJWK;
  });
});

// Issue 14, item 12: the SQLite data is the service's alone, and deleted rows do not linger.
