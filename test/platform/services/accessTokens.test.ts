import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../../src/platform/model/accessTokens.ts';
import { bearerToken } from '../../../src/platform/actions/steps/accessToken.ts';
import { deleteExpired } from '../../../src/store/cleanup.ts';
import type { Db } from '../../../src/store/db.ts';
import type { ToolTable } from '../../../src/store/schema.ts';
import { DIALECTS, useMigratedDb } from '../../support/db.ts';

/** A platform with one tool, as rows: the foreign keys of access_tokens need both. */
async function platformWithTool(db: Db): Promise<{ platformId: string; toolId: string }> {
  const platformId = randomUUID();
  const toolId = randomUUID();
  const now = Date.now();
  await db.insertInto('platforms').values({
    id: platformId, name: 'P', slug: `p-${platformId.slice(0, 8)}`, openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
    idp_metadata: '{}', client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null, context_public_key: null,
    role_claim: null, role_map: null, created_at: now, updated_at: now,
  }).execute();
  await db.insertInto('tools').values({
    id: toolId, platform_id: platformId, name: 'T', description: null, icon_url: null, client_id: `tool-${toolId}`, deployment_id: 'd',
    open_id_connect_initiation_url: 'https://tool.example/login', target_link_uri: 'https://tool.example/launch', redirect_uris: '[]',
    public_key: null, public_jwk: null, public_key_url: 'https://tool.example/jwks', custom: '{}', context_overridable_custom: '[]',
    login_initiation_method: 'post', share_name: 1, share_email: 1, share_picture: 1, created_at: now, updated_at: now,
    // ags_scopes and nrps left to their defaults, as a row written before migration 0008.
  } as ToolTable).execute();
  return { platformId, toolId };
}

describe.each(DIALECTS)('access tokens on %s', (dialect) => {
  const store = useMigratedDb(dialect);

  it('gives a new tool every AGS scope and NRPS (migration 0008 defaults)', async () => {
    const { toolId } = await platformWithTool(store.db);
    const row = await store.db.selectFrom('tools').select(['ags_scopes', 'nrps']).where('id', '=', toolId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.ags_scopes)).toEqual([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
    ]);
    expect(Number(row.nrps)).toBe(1);
  });

  it('issues a random token, stores only its SHA-256, and finds it with its grant until it expires', async () => {
    const grant = { ...(await platformWithTool(store.db)), scopes: ['a', 'b'] };
    const tokens = new AccessTokens(store.db);
    const now = Date.now();
    const issued = await tokens.issue(grant, { now });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.expiresAt).toBe(now + 3_600_000);
    const rows = await store.db.selectFrom('access_tokens').selectAll().where('tool_id', '=', grant.toolId).execute();
    expect(rows.map((r) => r.token_hash)).toEqual([createHash('sha256').update(issued.token).digest('base64url')]);
    expect(JSON.stringify(rows)).not.toContain(issued.token);
    expect(await tokens.find(issued.token, now + 1000)).toEqual({ platformId: grant.platformId, toolId: grant.toolId, scopes: ['a', 'b'], expiresAt: now + 3_600_000 });
    expect(await tokens.find(issued.token, now + 3_600_000)).toBeUndefined();
    expect(await tokens.find(`${issued.token}x`)).toBeUndefined();
    const second = await tokens.issue(grant);
    expect(second.token).not.toBe(issued.token);
  });

  it('revokes a tool’s tokens, and cleanup deletes expired ones', async () => {
    const grant = { ...(await platformWithTool(store.db)), scopes: [] };
    const tokens = new AccessTokens(store.db);
    const live = await tokens.issue(grant);
    const old = await tokens.issue(grant, { now: Date.now() - 7_200_000 });
    await deleteExpired(store.db);
    const left = await store.db.selectFrom('access_tokens').select('expires_at').where('tool_id', '=', grant.toolId).execute();
    expect(left.map((r) => Number(r.expires_at))).toEqual([live.expiresAt]);
    expect(old.expiresAt).toBeLessThan(Date.now());
    expect(await tokens.revokeTool(grant.toolId)).toBe(1);
    expect(await tokens.find(live.token)).toBeUndefined();
  });
});

describe('the Bearer scheme', () => {
  it('is read in any case, with the token in RFC 6750 characters; anything else is no token', () => {
    for (const header of ['Bearer abc.DEF-_~+/=', 'bearer abc.DEF-_~+/=', 'BEARER   abc.DEF-_~+/=']) expect(bearerToken(header)).toBe('abc.DEF-_~+/=');
    for (const header of [undefined, '', 'Basic YWJj', 'Bearer', 'Bearer a b', 'Bearerabc', 'Bearer a"b']) expect(bearerToken(header)).toBeNull();
  });
});
