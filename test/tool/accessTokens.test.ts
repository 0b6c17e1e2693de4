/**
 * The gateway's token client (issue 17 item 2) against an LMS token endpoint written in the test,
 * over real HTTP: the client assertion as a strict LMS verifies it (jose, the gateway's JWKS URL),
 * Canvas- and Moodle-shaped answers, refusals passed on with the LMS's own words, the token kept
 * in the database for every instance, and concurrent needs sharing one request.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toolRoutes } from '../../src/apps/gateway.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../src/lti/services/scopes.ts';
import { LmsError } from '../../src/tool/clients/lmsError.ts';
import { createGateway, type Gateway } from '../../src/tool/gateway.ts';
import type { Registration } from '../../src/tool/model/registrations.ts';
import { AdminApi } from '../support/adminClient.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../support/db.ts';
import { startRole, type RunningRole } from '../support/servers.ts';
import { startGateway, type TestGateway } from './support/gatewaySetup.ts';
import { LmsTokenEndpoint, canvasAnswer, moodleAnswer } from './support/lmsTokenEndpoint.ts';

const ALL = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score, NRPS_SCOPE];

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<LmsError> {
  const outcome = await promise.then(() => null, (err: unknown) => err);
  expect(outcome, 'expected a refusal').toBeInstanceOf(Error);
  return outcome as LmsError;
}

describe.each(DIALECTS)('the gateway’s token client against an LMS stand-in (%s)', (dialect) => {
  let gateway: TestGateway;
  let container: Gateway;
  let lms: LmsTokenEndpoint;
  let registrationId: string;
  /** The registration as stored now (re-read after each change, as a caller would). */
  const registration = (): Promise<Registration> => container.registrations.get(registrationId);
  const storedTokens = () => gateway.services.db.selectFrom('gateway_access_tokens').selectAll().where('registration_id', '=', registrationId).execute();

  beforeAll(async () => {
    gateway = await startGateway(dialect);
    container = createGateway(gateway.services);
    lms = await LmsTokenEndpoint.start(`${gateway.url}/.well-known/jwks.json`);
    const created = await gateway.admin('POST', '/registrations', {
      name: 'Canvas stand-in', issuer: 'https://canvas.test.example', client_id: lms.clientId, authorization_endpoint: `${lms.url}/api/lti/authorize_redirect`,
      jwks_url: `${lms.url}/api/lti/security/jwks`, token_endpoint: lms.tokenUrl,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    registrationId = created.body.id;
  });
  afterEach(async () => {
    // Each test starts with no stored token and the default answer; the stand-in keeps every jti it saw.
    await gateway.services.db.deleteFrom('gateway_access_tokens').execute();
    lms.answer = (scopes) => canvasAnswer(scopes);
    lms.audience = lms.tokenUrl;
    expect(lms.problems).toEqual([]);
  });
  afterAll(async () => {
    await lms?.close();
    await gateway?.close();
  });

  it('asks with a client assertion exactly as Security Framework §4.1.1 says, signed by the gateway’s current key', async () => {
    const before = lms.requests.length;
    const token = await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score, AGS_SCOPES.lineItem]);
    expect(lms.requests.length).toBe(before + 1);
    const { contentType, form, header, payload } = lms.requests.at(-1)!;
    expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.keys(form).sort()).toEqual(['client_assertion', 'client_assertion_type', 'grant_type', 'scope']);
    expect(form.grant_type).toBe('client_credentials');
    expect(form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    // Sorted, space-separated: the same set always asks the same way.
    expect(form.scope).toBe(`${AGS_SCOPES.lineItem} ${AGS_SCOPES.score}`);
    const current = (await gateway.services.keys.list()).find((k) => k.status === 'current')!;
    expect(header).toEqual({ alg: 'RS256', kid: current.kid, typ: 'JWT' });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    expect(payload).toMatchObject({ iss: lms.clientId, sub: lms.clientId, aud: lms.tokenUrl });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(token).toEqual({ accessToken: expect.stringMatching(/^eyJ\.canvas-/), scopes: [AGS_SCOPES.lineItem, AGS_SCOPES.score] });
  });

  it('takes a Moodle-shaped answer: token_type "bearer" and a subset of the scopes, recording what was granted', async () => {
    lms.answer = (scopes) => moodleAnswer(scopes.filter((s) => s === AGS_SCOPES.score || s === NRPS_SCOPE));
    const token = await container.accessTokens.tokenFor(await registration(), ALL);
    expect(token.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(token.scopes.sort()).toEqual([NRPS_SCOPE, AGS_SCOPES.score].sort());
    const [row] = await storedTokens();
    expect(row.scope_key).toBe([...ALL].sort().join(' '));
    expect(row.granted_scopes.split(' ').sort()).toEqual([NRPS_SCOPE, AGS_SCOPES.score].sort());
    // Sealed at rest: the row does not hold the token itself.
    expect(JSON.stringify(row)).not.toContain(token.accessToken);
    // Read back from the database, the granted subset stays what the LMS said.
    const again = await createGateway(gateway.services).accessTokens.tokenFor(await registration(), ALL);
    expect(again).toEqual(token);
  });

  it('takes the scopes asked for when the answer has no scope, and an hour when it has no expires_in', async () => {
    lms.answer = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: 'plain-token-0123456789', token_type: 'BEARER' }) });
    const requestedAt = Date.now();
    const token = await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.resultReadOnly]);
    expect(token).toEqual({ accessToken: 'plain-token-0123456789', scopes: [AGS_SCOPES.resultReadOnly] });
    const [row] = await storedTokens();
    expect(Number(row.expires_at) - requestedAt).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(Number(row.expires_at) - requestedAt).toBeLessThanOrEqual(3_600_000 + 1000);
  });

  it('names the registration’s token_audience as aud when one is set, and the token URL again when it is cleared', async () => {
    const audience = 'https://api.brightspace.test/auth/token';
    expect((await gateway.admin('PATCH', `/registrations/${registrationId}`, { token_audience: audience })).body.token_audience).toBe(audience);
    lms.audience = audience;
    await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]);
    expect(lms.requests.at(-1)!.payload.aud).toBe(audience);
    expect((await gateway.admin('PATCH', `/registrations/${registrationId}`, { token_audience: null })).body.token_audience).toBeNull();
    lms.audience = lms.tokenUrl;
    await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]);
    expect(lms.requests.at(-1)!.payload.aud).toBe(lms.tokenUrl);
  });

  it('reuses the stored token: two calls, in any scope order and with repeats, make one request', async () => {
    const before = lms.requests.length;
    const first = await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score, AGS_SCOPES.lineItem]);
    const second = await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.lineItem, AGS_SCOPES.score, AGS_SCOPES.score]);
    expect(second).toEqual(first);
    expect(lms.requests.length).toBe(before + 1);
    // Another scope set is another token.
    const other = await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]);
    expect(other.accessToken).not.toBe(first.accessToken);
    expect(lms.requests.length).toBe(before + 2);
  });

  it('coalesces ten concurrent needs into one request', async () => {
    lms.answer = (scopes) => ({ ...canvasAnswer(scopes), delayMs: 150 });
    const before = lms.requests.length;
    const reg = await registration();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => container.accessTokens.tokenFor(reg, [NRPS_SCOPE])));
    expect(lms.requests.length).toBe(before + 1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it('asks again once the stored token is within 60 seconds of expiring, and not before', async () => {
    const reg = await registration();
    const first = await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]);
    const before = lms.requests.length;
    const expireIn = (ms: number) => gateway.services.db.updateTable('gateway_access_tokens').set({ expires_at: Date.now() + ms }).where('registration_id', '=', registrationId).execute();
    await expireIn(65_000);
    expect(await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score])).toEqual(first);
    expect(lms.requests.length).toBe(before);
    await expireIn(55_000);
    const renewed = await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(lms.requests.length).toBe(before + 1);
    // A token the LMS gives for less than the margin is used once, never stored as reusable.
    lms.answer = (scopes) => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: `short-${crypto.randomUUID()}`, token_type: 'Bearer', expires_in: 30 }) });
    await container.accessTokens.tokenFor(reg, [AGS_SCOPES.lineItem]);
    await container.accessTokens.tokenFor(reg, [AGS_SCOPES.lineItem]);
    expect(lms.requests.length).toBe(before + 3);
  });

  it('forgets a token the LMS refused (invalidate), but not a newer one another instance stored', async () => {
    const reg = await registration();
    const first = await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]);
    await container.accessTokens.invalidate(reg, [AGS_SCOPES.score]);
    const second = await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]);
    expect(second.accessToken).not.toBe(first.accessToken);
    // A caller that still holds the first token invalidates it: the newer one stays.
    await container.accessTokens.invalidate(reg, [AGS_SCOPES.score], first.accessToken);
    expect(await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score])).toEqual(second);
    await container.accessTokens.invalidate(reg, [AGS_SCOPES.score], second.accessToken);
    expect((await container.accessTokens.tokenFor(reg, [AGS_SCOPES.score])).accessToken).not.toBe(second.accessToken);
  });

  it('drops the stored tokens when the registration changes', async () => {
    await container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]);
    expect(await storedTokens()).toHaveLength(1);
    expect((await gateway.admin('PATCH', `/registrations/${registrationId}`, { name: 'Canvas stand-in (renamed)' })).status).toBe(200);
    expect(await storedTokens()).toEqual([]);
  });

  it('passes on a 400 invalid_client refusal with the LMS’s status, error and description', async () => {
    lms.answer = () => ({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_client', error_description: 'Developer key 10000000000042 is not active.' }) });
    const err = await rejection(container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]));
    expect(err).toBeInstanceOf(LmsError);
    expect({ code: err.code, status: err.status }).toEqual({ code: 'lms_token_refused', status: 502 });
    expect(err.lmsFields()).toEqual({ lms_status: 400, lms_error: 'invalid_client', lms_error_description: 'Developer key 10000000000042 is not active.' });
    // The LMS's words are kept apart from ours (an error page shows them as the LMS's).
    expect(err.message).not.toContain('Developer key');
    expect(err.said).toMatchObject({ lms_status: '400', lms_error: 'invalid_client' });
    expect(await storedTokens()).toEqual([]);
  });

  it('reads a 401 refusal sent form-encoded, and one sent as plain text, cut to a sane length', async () => {
    lms.answer = () => ({ status: 401, contentType: 'application/x-www-form-urlencoded', body: 'error=invalid_client&error_description=Unknown+client' });
    const form = await rejection(container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]));
    expect(form.lmsFields()).toEqual({ lms_status: 401, lms_error: 'invalid_client', lms_error_description: 'Unknown client' });
    lms.answer = () => ({ status: 403, contentType: 'text/plain', body: `Forbidden: ${'x'.repeat(5000)}` });
    const text = await rejection(container.accessTokens.tokenFor(await registration(), [AGS_SCOPES.score]));
    expect(text.code).toBe('lms_token_refused');
    expect(text.lms.status).toBe(403);
    expect(text.lms.error).toBeNull();
    expect(text.lms.errorDescription!.startsWith('Forbidden: xxx')).toBe(true);
    expect(text.lms.errorDescription!.length).toBeLessThanOrEqual(300);
  });

  it('answers lms_unavailable for a 500 HTML page, a 200 that is not JSON, a token of another type, and an LMS that is not there', async () => {
    const reg = await registration();
    lms.answer = () => ({ status: 500, contentType: 'text/html', body: '<html><body><h1>We\'re sorry, but something went wrong.</h1></body></html>' });
    const page = await rejection(container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]));
    expect({ code: page.code, status: page.status, lms: page.lms.status }).toEqual({ code: 'lms_unavailable', status: 502, lms: 500 });
    expect(page.detail).toContain('HTTP 500');

    lms.answer = () => ({ status: 200, contentType: 'text/html', body: '<html>Log in to continue</html>' });
    expect((await rejection(container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]))).code).toBe('lms_unavailable');
    lms.answer = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: 'abc-0123456789', token_type: 'mac' }) });
    expect((await rejection(container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]))).code).toBe('lms_unavailable');
    lms.answer = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: 'bad\r\nx-injected: 1', token_type: 'Bearer' }) });
    expect((await rejection(container.accessTokens.tokenFor(reg, [AGS_SCOPES.score]))).code).toBe('lms_unavailable');

    const gone = await LmsTokenEndpoint.start(`${gateway.url}/.well-known/jwks.json`);
    await gone.close();
    const unreachable = await rejection(container.accessTokens.tokenFor({ ...reg, tokenEndpoint: gone.tokenUrl }, [AGS_SCOPES.score]));
    expect({ code: unreachable.code, lms: unreachable.lmsFields() }).toEqual({ code: 'lms_unavailable', lms: { lms_status: null, lms_error: null, lms_error_description: null } });
    expect(await storedTokens()).toEqual([]);
  });

  it('refuses with registration_token_endpoint_missing when the registration has no token endpoint, asking nothing', async () => {
    const before = lms.requests.length;
    const err = await rejection(container.accessTokens.tokenFor({ ...(await registration()), tokenEndpoint: null }, [AGS_SCOPES.score]));
    expect({ code: err.code, status: err.status }).toEqual({ code: 'registration_token_endpoint_missing', status: 502 });
    expect(lms.requests.length).toBe(before);
  });

  it('never sends a jti twice', () => {
    const jtis = lms.requests.map((r) => r.payload.jti);
    expect(jtis.length).toBeGreaterThan(15);
    expect(new Set(jtis).size).toBe(jtis.length);
  });
});

describe.runIf(DIALECTS.includes('postgres'))('two gateway instances on one Postgres', () => {
  let databaseUrl: string | null;
  let instances: RunningRole[] = [];
  let lms: LmsTokenEndpoint;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl('postgres');
    const secretKey = randomBytes(32).toString('hex');
    instances = [
      await startRole('tool', toolRoutes, { databaseUrl, secretKey }),
      await startRole('tool', toolRoutes, { databaseUrl, secretKey }),
    ];
    lms = await LmsTokenEndpoint.start(`${instances[1].url}/.well-known/jwks.json`);
  });
  afterAll(async () => {
    await lms?.close();
    for (const instance of instances) await instance.close();
    await dropDatabase(databaseUrl);
  });

  it('share one token: the second instance uses what the first one got, without asking the LMS', async () => {
    const created = await new AdminApi(instances[0].url).call('POST', '/registrations', {
      name: 'Moodle stand-in', issuer: 'https://moodle.test.example', client_id: lms.clientId, authorization_endpoint: `${lms.url}/mod/lti/auth.php`,
      jwks_url: `${lms.url}/mod/lti/certs.php`, token_endpoint: lms.tokenUrl,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    lms.answer = (scopes) => moodleAnswer(scopes);
    const [a, b] = instances.map((i) => createGateway(i.services));
    const first = await a.accessTokens.tokenFor(await a.registrations.get(created.body.id), [AGS_SCOPES.score, NRPS_SCOPE]);
    const second = await b.accessTokens.tokenFor(await b.registrations.get(created.body.id), [NRPS_SCOPE, AGS_SCOPES.score]);
    expect(second).toEqual(first);
    expect(lms.requests).toHaveLength(1);
    expect(lms.problems).toEqual([]);
  });
});
