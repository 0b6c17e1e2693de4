/**
 * The token endpoint in both tenancy forms, and its single-use jti across two launcher instances
 * that share one database (a SQLite file; Postgres when TEST_DATABASE_URL is set).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLocalhostNames } from '../../../demo/localhostDns.ts';
import { platformRoutes } from '../../../src/apps/launcher.ts';
import { AGS_SCOPES } from '../../../src/lti/services/scopes.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../../support/db.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';
import { ServiceTool, postToken, tokenForm } from './serviceTool.ts';

describe('the token endpoint with subdomain tenancy (DOMAIN set)', () => {
  let world: LauncherWorld;
  let tool: ServiceTool;
  let port: string;

  beforeAll(async () => {
    resolveLocalhostNames();
    tool = await ServiceTool.start();
    world = await startLauncherWorld(null, {
      config: { domain: 'launcher.localhost', publicUrl: 'http://launcher.localhost' },
      tool: { client_id: tool.clientId, public_key_url: tool.jwksUrl },
    });
    port = new URL(world.launcher.url).port;
    // The port is known only once listening; routes read the public URL per request.
    world.launcher.services.config.publicUrl = `http://launcher.localhost:${port}`;
  });
  afterAll(async () => {
    await world?.close();
    await tool?.close();
  });

  it('takes the subdomain URL, the canonical one, as aud at the platform’s host', async () => {
    const canonical = `http://springfield.launcher.localhost:${port}/token`;
    const answer = await postToken(canonical, tokenForm(await tool.assertion(canonical), AGS_SCOPES.score));
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe(AGS_SCOPES.score);
    // Discovery names the canonical URL, on either host.
    for (const base of [`http://springfield.launcher.localhost:${port}`, `http://launcher.localhost:${port}/p/springfield`]) {
      const conf = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as any;
      expect(conf.token_endpoint).toBe(canonical);
    }
  });

  it('answers at the path form too, taking either form of the URL as aud, and nothing else', async () => {
    const canonical = `http://springfield.launcher.localhost:${port}/token`;
    const pathForm = `http://launcher.localhost:${port}/p/springfield/token`;
    expect((await postToken(pathForm, tokenForm(await tool.assertion(canonical), AGS_SCOPES.score))).status).toBe(200);
    expect((await postToken(pathForm, tokenForm(await tool.assertion(pathForm), AGS_SCOPES.score))).status).toBe(200);
    expect((await postToken(canonical, tokenForm(await tool.assertion(pathForm), AGS_SCOPES.score))).status).toBe(200);
    // The address the server listens at is not the platform's name: not its token URL.
    const listening = `${world.launcher.url}/p/springfield/token`;
    const refused = await postToken(pathForm, tokenForm(await tool.assertion(listening), AGS_SCOPES.score));
    expect({ status: refused.status, code: refused.body.failure_code }).toEqual({ status: 401, code: 'client_assertion_aud' });
    // Another platform's host is another token endpoint: the tool is unknown there.
    const elsewhere = `http://other.launcher.localhost:${port}/token`;
    const unknown = await postToken(elsewhere, tokenForm(await tool.assertion(elsewhere), AGS_SCOPES.score));
    expect({ status: unknown.status, code: unknown.body.failure_code }).toEqual({ status: 404, code: 'platform_unknown' });
  });
});

describe.each(DIALECTS)('a client assertion across two launcher instances sharing one database on %s', (dialect) => {
  let world: LauncherWorld;
  let second: RunningRole;
  let tool: ServiceTool;
  let url: string | null;
  const publicUrl = 'http://lti.test';
  const aud = `${publicUrl}/p/springfield/token`;

  beforeAll(async () => {
    tool = await ServiceTool.start();
    url = await freshDatabaseUrl(dialect);
    const secretKey = randomBytes(32).toString('hex');
    const dataDir = tempDir();
    world = await startLauncherWorld(url, { secretKey, config: { dataDir, publicUrl }, tool: { client_id: tool.clientId, public_key_url: tool.jwksUrl } });
    second = await startRole('platform', platformRoutes, { databaseUrl: url, secretKey, config: { dataDir, publicUrl } });
  });
  afterAll(async () => {
    await second?.close();
    await world?.close();
    await tool?.close();
    await dropDatabase(url);
  });

  const tokenUrlOf = (instance: { url: string }) => `${instance.url}/p/springfield/token`;

  it('is used once on either instance: the other refuses it as replayed', async () => {
    const assertion = await tool.assertion(aud);
    const first = await postToken(tokenUrlOf(world.launcher), tokenForm(assertion, AGS_SCOPES.score));
    expect(first.status).toBe(200);
    const replayed = await postToken(tokenUrlOf(second), tokenForm(assertion, AGS_SCOPES.score));
    expect({ status: replayed.status, error: replayed.body.error, code: replayed.body.failure_code }).toEqual({ status: 401, error: 'invalid_client', code: 'client_assertion_replayed' });
  });

  it('gives one token when both instances receive it at once', async () => {
    const assertion = await tool.assertion(aud);
    const answers = await Promise.all([world.launcher, second, world.launcher, second].map((i) => postToken(tokenUrlOf(i), tokenForm(assertion, AGS_SCOPES.score))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('stops taking a key on the other instance as soon as an admin replaces it on one', async () => {
    // The second instance has just used the tool's key (and read the tool).
    expect((await postToken(tokenUrlOf(second), tokenForm(await tool.assertion(aud), AGS_SCOPES.score))).status).toBe(200);
    const generated = await world.admin(`/tools/${world.toolRecord.id}/key-pair`, { method: 'POST' });
    expect(generated.status).toBe(200);
    const old = await postToken(tokenUrlOf(second), tokenForm(await tool.assertion(aud), AGS_SCOPES.score));
    expect({ status: old.status, code: old.body.failure_code }).toEqual({ status: 401, code: 'client_assertion_signature_invalid' });
    // Put the tool's own key back for the next test.
    expect((await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { public_jwk: null, public_key_url: tool.jwksUrl } })).status).toBe(200);
  });

  it('gives a token one instance issued that the other finds', async () => {
    const answer = await postToken(tokenUrlOf(second), tokenForm(await tool.assertion(aud), AGS_SCOPES.score));
    expect(answer.status).toBe(200);
    const { AccessTokens } = await import('../../../src/platform/model/accessTokens.ts');
    const found = await new AccessTokens(world.launcher.services.db).find(answer.body.access_token);
    expect(found).toMatchObject({ toolId: world.toolRecord.id, platformId: world.platform.id, scopes: [AGS_SCOPES.score] });
  });
});
