import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consumeOnce } from '../../src/store/consumeOnce.ts';
import { DIALECTS, useMigratedDb } from '../support/db.ts';

describe.each(DIALECTS)('consumeOnce on %s', (dialect) => {
  const store = useMigratedDb(dialect);

  async function handoff(fields: { app?: string; expiresIn?: number; used?: boolean } = {}): Promise<string> {
    const code = `code-${randomUUID()}`;
    await store.db.insertInto('handoffs').values({
      code_hash: code, app_id: fields.app ?? 'app-1', payload: '{}',
      expires_at: Date.now() + (fields.expiresIn ?? 60_000), used_at: fields.used ? Date.now() : null,
    }).execute();
    return code;
  }

  it('uses a row once: of eight concurrent uses exactly one succeeds, the rest read "used"', async () => {
    const code = await handoff();
    const results = await Promise.all(Array.from({ length: 8 }, () => consumeOnce(store.db, 'handoffs', code, { bound: { app_id: ['app-1'] } })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(7).fill('used'));
    const winner = results.find((r) => r.ok);
    expect(winner?.ok && winner.row.used_at).toBeTypeOf('number');
  });

  it('says why not: unknown, used, expired, or bound to another (with the row, not used up)', async () => {
    expect(await consumeOnce(store.db, 'handoffs', 'no-such-code')).toEqual({ ok: false, reason: 'unknown' });
    expect(await consumeOnce(store.db, 'handoffs', await handoff({ used: true }))).toMatchObject({ ok: false, reason: 'used' });
    expect(await consumeOnce(store.db, 'handoffs', await handoff({ expiresIn: -1 }))).toMatchObject({ ok: false, reason: 'expired' });
    const other = await handoff({ app: 'app-2' });
    expect(await consumeOnce(store.db, 'handoffs', other, { bound: { app_id: ['app-1'] } })).toMatchObject({ ok: false, reason: 'unbound', row: { app_id: 'app-2' } });
    // Out of scope (another app's code), it is unknown, and says nothing of its state.
    expect(await consumeOnce(store.db, 'handoffs', other, { scope: { app_id: ['app-1'] } })).toEqual({ ok: false, reason: 'unknown' });
    expect(await consumeOnce(store.db, 'handoffs', await handoff({ app: 'app-2', used: true }), { scope: { app_id: ['app-1'] } })).toEqual({ ok: false, reason: 'unknown' });
    // Refused either way, the row is left for its own app.
    expect(await consumeOnce(store.db, 'handoffs', other, { scope: { app_id: ['app-2'] } })).toMatchObject({ ok: true });
  });

  it('reads a used or expired row as such before asking whose browser it is', async () => {
    const used = await handoff({ used: true });
    expect(await consumeOnce(store.db, 'handoffs', used, { bound: { app_id: ['app-9'] } })).toMatchObject({ ok: false, reason: 'used' });
  });

  it('an empty list of allowed values matches nothing and uses nothing (a browser without an id)', async () => {
    const hint = `hint-${randomUUID()}`;
    await store.db.insertInto('login_hints').values({
      hint, launch_id: 'l-1', platform_id: 'p-1', tool_id: 't-1', user_claims: '{}', roles: '[]', context_claims: '{}',
      browser_hash: 'b-1', test: 0, expires_at: Date.now() + 60_000, used_at: null,
    } as never).execute();
    expect(await consumeOnce(store.db, 'login_hints', hint, { bound: { tool_id: ['t-1'], browser_hash: [] } })).toMatchObject({ ok: false, reason: 'unbound' });
    expect(await consumeOnce(store.db, 'login_hints', hint, { bound: { tool_id: ['t-1'], browser_hash: ['x', 'b-1'] } })).toMatchObject({ ok: true, row: { launch_id: 'l-1' } });
  });
});
