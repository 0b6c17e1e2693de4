/**
 * The gateway's token client against our own launcher's POST /token, over real HTTP: the launcher
 * knows the gateway as a tool by its JWKS URL, the gateway knows the launcher as an LMS with its
 * token URL. What the launcher checks (signature, aud, single-use jti, allowed scopes) is what a
 * strict LMS checks.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_SCOPES, NRPS_SCOPE } from '../../src/lti/services/scopes.ts';
import type { LmsError } from '../../src/tool/clients/lmsError.ts';
import { createGateway, type Gateway } from '../../src/tool/gateway.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../support/db.ts';
import { startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';
import { startGateway, type TestGateway } from './support/gatewaySetup.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe.each(DIALECTS)('the gateway’s token client against the launcher’s token endpoint (%s)', (dialect) => {
  let gateway: TestGateway;
  let container: Gateway;
  let world: LauncherWorld;
  let launcherDb: string | null;
  let registrationId: string;

  beforeAll(async () => {
    gateway = await startGateway(dialect);
    container = createGateway(gateway.services);
    launcherDb = await freshDatabaseUrl(dialect);
    world = await startLauncherWorld(launcherDb, { tool: { client_id: 'gateway-client', public_key_url: `${gateway.url}/.well-known/jwks.json` } });
    const created = await gateway.admin('POST', '/registrations', {
      name: 'Springfield High (launcher)', issuer: world.platform.issuer, client_id: 'gateway-client', deployment_ids: [world.toolRecord.deployment_id],
      authorization_endpoint: `${world.platform.base_url}/auth`, jwks_url: world.platform.jwks_url, token_endpoint: world.platform.token_url,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    registrationId = created.body.id;
  });
  afterAll(async () => {
    await world?.close();
    await dropDatabase(launcherDb);
    await gateway?.close();
  });

  const accessTokenRow = (token: string) =>
    world.launcher.services.db.selectFrom('access_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();

  it('gets a token for the AGS and NRPS scopes, bound at the launcher to the gateway’s tool', async () => {
    const token = await container.accessTokens.tokenFor(await container.registrations.get(registrationId), [AGS_SCOPES.score, AGS_SCOPES.lineItem, NRPS_SCOPE]);
    expect(token.scopes.sort()).toEqual([AGS_SCOPES.lineItem, AGS_SCOPES.score, NRPS_SCOPE].sort());
    const row = await accessTokenRow(token.accessToken);
    expect({ tool: row?.tool_id, scopes: row?.scopes.split(' ').sort() }).toEqual({ tool: world.toolRecord.id, scopes: token.scopes });
    // Stored, so a second need asks the launcher nothing: the launcher still has one token.
    expect(await container.accessTokens.tokenFor(await container.registrations.get(registrationId), [NRPS_SCOPE, AGS_SCOPES.lineItem, AGS_SCOPES.score])).toEqual(token);
    const tokens = await world.launcher.services.db.selectFrom('access_tokens').select('token_hash').where('tool_id', '=', world.toolRecord.id).execute();
    expect(tokens).toHaveLength(1);
  });

  it('records the subset the launcher grants when the tool may use fewer services', async () => {
    const patched = await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { ags_scopes: [AGS_SCOPES.score], nrps: false } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const token = await container.accessTokens.tokenFor(await container.registrations.get(registrationId), [AGS_SCOPES.score, AGS_SCOPES.resultReadOnly, NRPS_SCOPE]);
    expect(token.scopes).toEqual([AGS_SCOPES.score]);
    expect((await accessTokenRow(token.accessToken))?.scopes).toBe(AGS_SCOPES.score);
  });

  it('passes on the launcher’s refusal of a wrong audience as lms_token_refused, with its status, error and description', async () => {
    const patched = await gateway.admin('PATCH', `/registrations/${registrationId}`, { token_audience: 'https://elsewhere.example/token' });
    expect(patched.status).toBe(200);
    const err = await container.accessTokens.tokenFor(await container.registrations.get(registrationId), [AGS_SCOPES.score]).then(() => null, (e: LmsError) => e);
    expect(err).not.toBeNull();
    expect({ code: err!.code, status: err!.status, lmsStatus: err!.lms.status, lmsError: err!.lms.error }).toEqual({
      code: 'lms_token_refused', status: 502, lmsStatus: 401, lmsError: 'invalid_client',
    });
    expect(err!.lms.errorDescription).toMatch(/aud/);
  });
});
