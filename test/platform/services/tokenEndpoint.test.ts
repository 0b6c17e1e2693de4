/**
 * The launcher's token endpoint (Security Framework §4.1.1, RFC 7523) over real HTTP: a tool
 * written with jose trades signed client assertions for access tokens; every refusal is OAuth JSON
 * with its status, error and failure code, and — once the tool is known — an entry of its launch log.
 */
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { exportPKCS8, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerService, servicePipeline, type ServiceContext } from '../../../src/platform/actions/service.ts';
import { authenticateAccessToken, requireScope } from '../../../src/platform/actions/steps/accessToken.ts';
import { resolvePlatform } from '../../../src/platform/actions/steps/resolvePlatform.ts';
import { createLauncher } from '../../../src/platform/launcher.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { LtiError } from '../../../src/lti/errors.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';
import { ServiceTool, postToken, tokenForm } from './serviceTool.ts';

const ALL = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score, NRPS_SCOPE];
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** The launch-log entries of one request (the request id the refusal answered with). */
async function logOf(world: LauncherWorld, requestId: string): Promise<any[]> {
  const res = await world.admin(`/launches?request_id=${encodeURIComponent(requestId)}`);
  return ((await res.json()) as { launches: any[] }).launches;
}

/** An OAuth refusal: status, error, failure code, never cached, a challenge with invalid_client. */
function expectOAuthRefusal(answer: { status: number; headers: Headers; body: any }, status: number, error: string, code: string): void {
  expect({ status: answer.status, error: answer.body.error, code: answer.body.failure_code }).toEqual({ status, error, code });
  expect(answer.body.error_description).toEqual(expect.any(String));
  expect(answer.body.request_id).toEqual(expect.any(String));
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  if (error === 'invalid_client') expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="lti-token", error="invalid_client"$/);
  else expect(answer.headers.get('www-authenticate')).toBeNull();
}

describe.each(DIALECTS)('the token endpoint on %s (path tenancy)', (dialect) => {
  let world: LauncherWorld;
  let tool: ServiceTool;
  let url: string | null;
  let tokenUrl: string;

  beforeAll(async () => {
    tool = await ServiceTool.start();
    url = await freshDatabaseUrl(dialect);
    world = await startLauncherWorld(url, { tool: { client_id: tool.clientId, public_key_url: tool.jwksUrl } });
    tokenUrl = `${world.platform.base_url}/token`;
  });
  afterAll(async () => {
    await world?.close();
    await tool?.close();
    await dropDatabase(url);
  });

  it('issues a Bearer token for the scopes asked, never cached, bound to the tool and its platform', async () => {
    expect(tokenUrl).toBe(`${world.launcher.url}/p/springfield/token`);
    const answer = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl), `${AGS_SCOPES.score} ${AGS_SCOPES.lineItem}`));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 3600, scope: `${AGS_SCOPES.score} ${AGS_SCOPES.lineItem}` });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('pragma')).toBe('no-cache');
    const row = await world.launcher.services.db.selectFrom('access_tokens').selectAll().where('token_hash', '=', sha256(answer.body.access_token)).executeTakeFirstOrThrow();
    expect({ tool: row.tool_id, platform: row.platform_id, scopes: row.scopes }).toEqual({ tool: world.toolRecord.id, platform: world.platform.id, scopes: `${AGS_SCOPES.score} ${AGS_SCOPES.lineItem}` });
    expect(Number(row.expires_at) - Date.now()).toBeGreaterThan(3_590_000);
    // A success is not a launch: the launch log has nothing for it.
    expect(await logOf(world, answer.headers.get('x-request-id')!)).toEqual([]);
  });

  it('is advertised in the platform’s discovery document, with private_key_jwt, its algorithms and the services’ scopes', async () => {
    const conf = (await (await fetch(`${world.platform.base_url}/.well-known/openid-configuration`)).json()) as any;
    expect(conf).toMatchObject({
      token_endpoint: tokenUrl,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['openid', ...ALL],
    });
  });

  it('grants the intersection of the scopes asked and the tool’s, dropping unknown ones', async () => {
    const answer = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl), `https://example.com/other ${NRPS_SCOPE} ${AGS_SCOPES.resultReadOnly} ${NRPS_SCOPE}`));
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe(`${NRPS_SCOPE} ${AGS_SCOPES.resultReadOnly}`);
    const all = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl), ALL.join(' ')));
    expect(all.body.scope).toBe(ALL.join(' '));
  });

  it('accepts an aud array that contains the token URL, and the charset parameter on the content type', async () => {
    const answer = await postToken(tokenUrl, tokenForm(await tool.assertion(['https://other.example/token', tokenUrl]), AGS_SCOPES.score), {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(answer.status).toBe(200);
  });

  it('gives a token that the service steps accept for its tool and scopes, and refuse beyond them', async () => {
    const answer = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score));
    const launcher = createLauncher(world.launcher.services);
    const probe = Fastify();
    probe.setErrorHandler((err, _request, reply) => reply.code((err as LtiError).status).send({ code: (err as LtiError).code }));
    const route = (scope: string) => servicePipeline<ServiceContext>([resolvePlatform, authenticateAccessToken, requireScope(scope), {
      name: 'probe_answered', run(ctx) { ctx.answer = (reply) => reply.send({ tool: ctx.tool!.id, platform: ctx.platform!.id }); },
    }]);
    const scorePipeline = route(AGS_SCOPES.score);
    const memberPipeline = route(NRPS_SCOPE);
    probe.get('/p/:slug/score', (request, reply) => answerService(scorePipeline, { launcher, request, reply, launchId: null }));
    probe.get('/p/:slug/members', (request, reply) => answerService(memberPipeline, { launcher, request, reply, launchId: null }));
    const call = (path: string, token: string) => probe.inject({ method: 'GET', url: path, headers: { authorization: `bearer ${token}` } });
    const ok = await call('/p/springfield/score', answer.body.access_token);
    expect(ok.json()).toEqual({ tool: world.toolRecord.id, platform: world.platform.id });
    const scopeless = await call('/p/springfield/members', answer.body.access_token);
    expect({ status: scopeless.statusCode, body: scopeless.json() }).toEqual({ status: 403, body: { code: 'access_token_scope_insufficient' } });
    expect((await call('/p/springfield/score', `${answer.body.access_token}x`)).json()).toEqual({ code: 'access_token_invalid' });
    await probe.close();
  });

  it('refuses a replayed assertion, and lets two requests racing with one assertion get one token', async () => {
    const assertion = await tool.assertion(tokenUrl);
    expect((await postToken(tokenUrl, tokenForm(assertion, AGS_SCOPES.score))).status).toBe(200);
    const again = await postToken(tokenUrl, tokenForm(assertion, AGS_SCOPES.score));
    expectOAuthRefusal(again, 401, 'invalid_client', 'client_assertion_replayed');
    const raced = await tool.assertion(tokenUrl);
    const answers = await Promise.all(Array.from({ length: 6 }, () => postToken(tokenUrl, tokenForm(raced, AGS_SCOPES.score))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
    expect(new Set(answers.filter((a) => a.status === 401).map((a) => a.body.failure_code))).toEqual(new Set(['client_assertion_replayed']));
  });

  it('does not let a forged assertion use up the jti of a real one', async () => {
    const jti = randomUUID();
    const impostor = await ServiceTool.key('RS256', tool.key.kid);
    const forged = await tool.assertion(tokenUrl, { claims: { jti }, signWith: impostor.privateKey });
    expectOAuthRefusal(await postToken(tokenUrl, tokenForm(forged, AGS_SCOPES.score)), 401, 'invalid_client', 'client_assertion_signature_invalid');
    const real = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl, { claims: { jti } }), AGS_SCOPES.score));
    expect(real.status).toBe(200);
  });

  describe('refusals once the tool is known: status, OAuth error, failure code, and the tool’s launch-log entry', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: Array<{ name: string; code: string; step: string; status?: number; error?: string; form: () => Promise<string> }> = [
      { name: 'an iss other than the sub', code: 'client_assertion_iss', step: 'check_issuer', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { iss: 'someone-else' } }), AGS_SCOPES.score) },
      { name: 'no exp', code: 'client_assertion_exp', step: 'check_expiry', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { exp: undefined } }), AGS_SCOPES.score) },
      { name: 'an iat that is not a number', code: 'client_assertion_exp', step: 'check_expiry', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { iat: 'now' } }), AGS_SCOPES.score) },
      { name: 'an exp past the leeway', code: 'client_assertion_expired', step: 'check_expiry', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { iat: now() - 600, exp: now() - 60 } }), AGS_SCOPES.score) },
      { name: 'an iat in the future beyond the leeway', code: 'client_assertion_iat_future', step: 'check_issued_at', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { iat: now() + 120, exp: now() + 400 } }), AGS_SCOPES.score) },
      { name: 'an exp over an hour after the iat', code: 'client_assertion_lifetime', step: 'check_issued_at', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { iat: now(), exp: now() + 3601 } }), AGS_SCOPES.score) },
      { name: 'an aud of another server', code: 'client_assertion_aud', step: 'check_audience', form: async () => tokenForm(await tool.assertion('https://lms.example/token'), AGS_SCOPES.score) },
      { name: 'the token URL with a trailing slash', code: 'client_assertion_aud', step: 'check_audience', form: async () => tokenForm(await tool.assertion(`${tokenUrl}/`), AGS_SCOPES.score) },
      { name: 'the platform’s issuer as aud', code: 'client_assertion_aud', step: 'check_audience', form: async () => tokenForm(await tool.assertion(world.platform.issuer), AGS_SCOPES.score) },
      { name: 'no jti', code: 'client_assertion_jti', step: 'check_jti', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { jti: undefined } }), AGS_SCOPES.score) },
      { name: 'a jti of 256 characters', code: 'client_assertion_jti', step: 'check_jti', form: async () => tokenForm(await tool.assertion(tokenUrl, { claims: { jti: 'j'.repeat(256) } }), AGS_SCOPES.score) },
      { name: 'an HMAC signature', code: 'client_assertion_alg', step: 'verify_signature', form: async () => tokenForm(await tool.assertion(tokenUrl, { header: { alg: 'HS256' }, signWith: new Uint8Array(32) as unknown as CryptoKey }), AGS_SCOPES.score) },
      { name: 'alg none', code: 'client_assertion_alg', step: 'verify_signature', form: async () => {
        const real = (await tool.assertion(tokenUrl)).split('.');
        return tokenForm(`${Buffer.from(JSON.stringify({ alg: 'none', kid: tool.key.kid })).toString('base64url')}.${real[1]}.`, AGS_SCOPES.score);
      } },
      { name: 'a kid the tool does not publish', code: 'client_assertion_key_unknown', step: 'verify_signature', form: async () => tokenForm(await tool.assertion(tokenUrl, { key: await ServiceTool.key('RS256') }), AGS_SCOPES.score) },
      { name: 'a signature by another key under the tool’s kid', code: 'client_assertion_signature_invalid', step: 'verify_signature', form: async () => tokenForm(await tool.assertion(tokenUrl, { signWith: (await ServiceTool.key('RS256')).privateKey }), AGS_SCOPES.score) },
      { name: 'no scope', code: 'token_scope_missing', step: 'grant_scopes', status: 400, error: 'invalid_scope', form: async () => tokenForm(await tool.assertion(tokenUrl), '') },
      { name: 'only scopes the tool may not have', code: 'token_scope_invalid', step: 'grant_scopes', status: 400, error: 'invalid_scope', form: async () => tokenForm(await tool.assertion(tokenUrl), 'https://example.com/grades openid') },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.code}`, async () => {
        const answer = await postToken(tokenUrl, await c.form());
        expectOAuthRefusal(answer, c.status ?? 401, c.error ?? 'invalid_client', c.code);
        const [entry, ...more] = await logOf(world, answer.body.request_id);
        expect(more).toEqual([]);
        expect({ tool: entry.tool_id, platform: entry.platform_id, outcome: entry.outcome, code: entry.failure_code }).toEqual({
          tool: world.toolRecord.id, platform: world.platform.id, outcome: 'failure', code: c.code,
        });
        expect(entry.steps.at(-1)).toMatchObject({ step: c.step, outcome: 'failed', code: c.code });
      });
    }
  });

  describe('refusals before the tool is known: OAuth JSON, nothing in the launch log', () => {
    const cases: Array<{ name: string; code: string; status: number; error: string; send: () => Promise<{ body: string; headers?: Record<string, string>; url?: string }> }> = [
      { name: 'a JSON body', code: 'token_request_invalid', status: 400, error: 'invalid_request', send: async () => ({ body: JSON.stringify({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/json' } }) },
      { name: 'an unknown body type', code: 'token_request_invalid', status: 400, error: 'invalid_request', send: async () => ({ body: '<token/>', headers: { 'content-type': 'application/xml' } }) },
      { name: 'no content type', code: 'token_request_invalid', status: 400, error: 'invalid_request', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score), headers: {} }) },
      { name: 'a parameter given twice', code: 'token_request_invalid', status: 400, error: 'invalid_request', send: async () => ({ body: `${tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score)}&scope=x` }) },
      { name: 'another grant type', code: 'token_grant_type_unsupported', status: 400, error: 'unsupported_grant_type', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score, { grant_type: 'password' }) }) },
      { name: 'no client assertion', code: 'client_assertion_missing', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm('', AGS_SCOPES.score, { client_assertion: null }) }) },
      { name: 'another assertion type', code: 'client_assertion_type_unsupported', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }) }) },
      { name: 'an assertion that is not a JWT', code: 'client_assertion_malformed', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm('not-a.jwt', AGS_SCOPES.score) }) },
      { name: 'a NUL in a claim', code: 'client_assertion_malformed', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl, { claims: { jti: 'a\u0000b' } }), AGS_SCOPES.score) }) },
      { name: 'a NUL in the sub', code: 'client_assertion_malformed', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl, { claims: { sub: `${tool.clientId}\u0000` } }), AGS_SCOPES.score) }) },
      { name: 'a sub that names no tool', code: 'client_unknown', status: 401, error: 'invalid_client', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl, { claims: { sub: 'nobody', iss: 'nobody' } }), AGS_SCOPES.score) }) },
      { name: 'a body over the size limit', code: 'request_too_large', status: 413, error: 'invalid_request', send: async () => ({ body: tokenForm('x'.repeat(300 * 1024), AGS_SCOPES.score) }) },
      { name: 'a NUL character', code: 'token_request_invalid', status: 400, error: 'invalid_request', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl), `${AGS_SCOPES.score}\u0000`) }) },
      { name: 'a platform that does not exist', code: 'platform_unknown', status: 404, error: 'invalid_request', send: async () => ({ body: tokenForm(await tool.assertion(tokenUrl), AGS_SCOPES.score), url: `${world.launcher.url}/p/nowhere/token` }) },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.code}`, async () => {
        const sent = await c.send();
        const answer = await postToken(sent.url ?? tokenUrl, sent.body, sent.headers ?? { 'content-type': 'application/x-www-form-urlencoded' });
        expectOAuthRefusal(answer, c.status, c.error, c.code);
        expect(await logOf(world, answer.body.request_id)).toEqual([]);
      });
    }
  });
});

describe('the tool’s key: PEM, JWK and JWK Set; RS384, PS256 and ES256', () => {
  let world: LauncherWorld;
  let tokenUrl: string;
  const tools: ServiceTool[] = [];

  beforeAll(async () => {
    world = await startLauncherWorld(null);
    tokenUrl = `${world.platform.base_url}/token`;
  });
  afterAll(async () => {
    await world?.close();
    await Promise.all(tools.map((t) => t.close()));
  });

  async function toolWith(alg: string, key: (t: ServiceTool) => Promise<Record<string, unknown>>): Promise<ServiceTool> {
    const t = await ServiceTool.start(alg);
    tools.push(t);
    const created = await world.admin(`/platforms/${world.platform.id}/tools`, {
      body: { name: `Tool ${alg}`, client_id: t.clientId, open_id_connect_initiation_url: `${t.url}/login`, target_link_uri: `${t.url}/launch`, ...(await key(t)) },
    });
    expect(created.status).toBe(201);
    return t;
  }

  it('verifies with a PEM public key, RS384 and PS256 alike', async () => {
    const t = await toolWith('RS384', async (tool) => ({ public_key: await tool.publicPem() }));
    expect((await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl), AGS_SCOPES.score))).status).toBe(200);
    const ps = { ...t.key, alg: 'PS256', privateKey: await importPKCS8(await exportPKCS8(t.key.privateKey), 'PS256') };
    expect((await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl, { key: ps }), AGS_SCOPES.score))).status).toBe(200);
    // An ES256 assertion cannot be verified by an RSA key: the assertion's fault, a 401, not a 500.
    const es = await ServiceTool.key('ES256', t.key.kid);
    expectOAuthRefusal(await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl, { key: es }), AGS_SCOPES.score)), 401, 'invalid_client', 'client_assertion_key_unknown');
  });

  it('verifies with a single JWK whatever kid the header names, and with a JWK Set by kid', async () => {
    const single = await toolWith('ES256', async (tool) => ({ public_jwk: tool.key.publicJwk }));
    expect((await postToken(tokenUrl, tokenForm(await single.assertion(tokenUrl, { header: { kid: 'any-kid' } }), AGS_SCOPES.score))).status).toBe(200);
    const other = await ServiceTool.key('ES256');
    const set = await toolWith('ES256', async (tool) => ({ public_jwk: { keys: [other.publicJwk, tool.key.publicJwk] } }));
    expect((await postToken(tokenUrl, tokenForm(await set.assertion(tokenUrl), AGS_SCOPES.score))).status).toBe(200);
    expectOAuthRefusal(await postToken(tokenUrl, tokenForm(await set.assertion(tokenUrl, { header: { kid: 'not-in-set' } }), AGS_SCOPES.score)), 401, 'invalid_client', 'client_assertion_key_unknown');
  });

  it('fetches a JWKS URL once, and once more on an unknown kid after a rotation (then keeps a cooldown)', async () => {
    const t = await toolWith('RS256', async (tool) => ({ public_key_url: tool.jwksUrl }));
    const before = t.jwksRequests;
    for (let i = 0; i < 3; i++) expect((await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl), AGS_SCOPES.score))).status).toBe(200);
    expect(t.jwksRequests - before).toBe(1);
    // The tool rotates; past the cooldown of the last fetch, an unknown kid refetches once.
    const rotated = await t.rotate();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      const answers = await Promise.all(Array.from({ length: 5 }, async () => postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl, { key: rotated }), AGS_SCOPES.score))));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(t.jwksRequests - before).toBe(2);
      // Inside the cooldown, a kid that is still unknown does not fetch again.
      const stranger = await ServiceTool.key('RS256');
      expectOAuthRefusal(await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl, { key: stranger }), AGS_SCOPES.score)), 401, 'invalid_client', 'client_assertion_key_unknown');
      expect(t.jwksRequests - before).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses with client_jwks_unavailable when the key set URL does not answer, and with client_jwks_invalid for a published private key', async () => {
    const t = await toolWith('RS256', async (tool) => ({ public_key_url: tool.jwksUrl }));
    await t.close();
    tools.splice(tools.indexOf(t), 1);
    const down = await postToken(tokenUrl, tokenForm(await t.assertion(tokenUrl), AGS_SCOPES.score));
    expectOAuthRefusal(down, 401, 'invalid_client', 'client_jwks_unavailable');
    const [entry] = await logOf(world, down.body.request_id);
    expect(entry.failure_code).toBe('client_jwks_unavailable');

    const leaky = await toolWith('RS256', async (tool) => ({ public_key_url: tool.jwksUrl }));
    const { exportJWK } = await import('jose');
    leaky.published[0]!.publicJwk = { ...(await exportJWK(leaky.key.privateKey)), kid: leaky.key.kid, alg: 'RS256' };
    expectOAuthRefusal(await postToken(tokenUrl, tokenForm(await leaky.assertion(tokenUrl), AGS_SCOPES.score)), 401, 'invalid_client', 'client_jwks_invalid');
  });
});
