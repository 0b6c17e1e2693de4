/**
 * Which tool gets what (issue 16 item 1): the admin API's and console's `ags_scopes` and `nrps`,
 * the token endpoint granting only those, tokens revoked when a tool's key or services change, and
 * "generate a key pair for this tool", whose private key is shown once and verifies at /token.
 */
import { createHash } from 'node:crypto';
import { importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { AdminApi, ConsoleClient } from '../../support/adminClient.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';
import { ServiceTool, postToken, tokenForm } from './serviceTool.ts';
import { textOf } from '../../support/htmlForm.ts';

const ALL_AGS = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score];

describe('a tool’s services and keys, through the admin API and the console', () => {
  let world: LauncherWorld;
  let api: AdminApi;
  let tokenUrl: string;
  const tools: ServiceTool[] = [];

  beforeAll(async () => {
    world = await startLauncherWorld(null);
    api = new AdminApi(world.launcher.url);
    tokenUrl = `${world.platform.base_url}/token`;
  });
  afterAll(async () => {
    await world?.close();
    await Promise.all(tools.map((t) => t.close()));
  });

  async function newTool(fields: Record<string, unknown> = {}): Promise<{ tool: ServiceTool; record: any; status: number; body: any }> {
    const tool = await ServiceTool.start();
    tools.push(tool);
    const { status, body } = await api.call('POST', `/platforms/${world.platform.id}/tools`, {
      name: 'Gradebook tool', client_id: tool.clientId, open_id_connect_initiation_url: `${tool.url}/login`, target_link_uri: `${tool.url}/launch`,
      public_key_url: tool.jwksUrl, ...fields,
    });
    return { tool, record: body, status, body };
  }

  const tokenFor = async (tool: ServiceTool, scope: string) => postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl), scope));
  const tokenRowCount = async (toolId: string) =>
    (await world.launcher.services.db.selectFrom('access_tokens').select('token_hash').where('tool_id', '=', toolId).execute()).length;

  it('gives a new tool every AGS scope and NRPS, and says so in its view and the platform’s token URL', async () => {
    const { status, record } = await newTool();
    expect(status).toBe(201);
    expect(record).toMatchObject({ ags_scopes: ALL_AGS, nrps: true });
    const platform = await api.call('GET', `/platforms/${world.platform.id}`);
    expect(platform.body.token_url).toBe(tokenUrl);
  });

  it('grants only the scopes an admin gave the tool', async () => {
    const { tool, record, status } = await newTool({ ags_scopes: [AGS_SCOPES.score, AGS_SCOPES.lineItemReadOnly], nrps: false });
    expect(status).toBe(201);
    // Kept in the spec's order, whatever the order given.
    expect(record).toMatchObject({ ags_scopes: [AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.score], nrps: false });
    const some = await tokenFor(tool, [...ALL_AGS, NRPS_SCOPE].join(' '));
    expect(some.body.scope).toBe(`${AGS_SCOPES.lineItemReadOnly} ${AGS_SCOPES.score}`);
    const none = await tokenFor(tool, `${NRPS_SCOPE} ${AGS_SCOPES.lineItem}`);
    expect({ status: none.status, error: none.body.error, code: none.body.failure_code }).toEqual({ status: 400, error: 'invalid_scope', code: 'token_scope_invalid' });
    const nothing = await newTool({ ags_scopes: [], nrps: false });
    expect(nothing.record).toMatchObject({ ags_scopes: [], nrps: false });
    expect((await tokenFor(nothing.tool, AGS_SCOPES.score)).body.failure_code).toBe('token_scope_invalid');
  });

  it('refuses scopes that are not AGS scopes, naming the field', async () => {
    for (const ags_scopes of [[NRPS_SCOPE], ['lineitem'], AGS_SCOPES.score, [1]]) {
      const { status, body } = await newTool({ ags_scopes });
      expect({ status, code: body.error, field: Object.keys(body.fields ?? {}) }).toEqual({ status: 422, code: 'validation_failed', field: ['ags_scopes'] });
    }
    const { status, body } = await newTool({ nrps: 'maybe' });
    expect({ status, field: Object.keys(body.fields) }).toEqual({ status: 422, field: ['nrps'] });
  });

  it('revokes the tool’s access tokens when its services or its key change, and only then', async () => {
    const { tool, record } = await newTool();
    const first = await tokenFor(tool, AGS_SCOPES.score);
    expect(first.status).toBe(200);
    expect((await api.call('PATCH', `/tools/${record.id}`, { name: 'Renamed' })).status).toBe(200);
    expect(await tokenRowCount(record.id)).toBe(1);
    expect((await api.call('PATCH', `/tools/${record.id}`, { ags_scopes: [AGS_SCOPES.score] })).status).toBe(200);
    expect(await tokenRowCount(record.id)).toBe(0);
    await tokenFor(tool, AGS_SCOPES.score);
    expect((await api.call('PATCH', `/tools/${record.id}`, { nrps: false })).status).toBe(200);
    expect(await tokenRowCount(record.id)).toBe(0);
    await tokenFor(tool, AGS_SCOPES.score);
    expect((await api.call('PATCH', `/tools/${record.id}`, { public_key_url: null, public_jwk: tool.key.publicJwk })).status).toBe(200);
    expect(await tokenRowCount(record.id)).toBe(0);
    // The new key works at once.
    expect((await tokenFor(tool, AGS_SCOPES.score)).status).toBe(200);
  });

  it('generates a key pair: the public key is stored as a JWK, the private key returned once, and it signs assertions', async () => {
    const { tool, record } = await newTool();
    expect((await tokenFor(tool, AGS_SCOPES.score)).status).toBe(200);
    const generated = await api.call('POST', `/tools/${record.id}/key-pair`);
    expect(generated.status).toBe(200);
    const { private_key_pem: pem, kid } = generated.body;
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n?$/);
    expect(generated.body.tool).toMatchObject({ public_key: null, public_key_url: null, public_jwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig' } });
    expect(generated.body.tool.public_jwk).not.toHaveProperty('d');
    expect(await tokenRowCount(record.id)).toBe(0);
    // Nothing of the private key is kept: the tool's row has only the public one.
    const row = await world.launcher.services.db.selectFrom('tools').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    const body = pem.split('\n').slice(1, -2).join('');
    expect(JSON.stringify(row)).not.toContain(body.slice(0, 40));
    expect(JSON.stringify(row)).not.toContain('"d"');
    expect((await api.call('GET', `/tools/${record.id}`)).body).not.toHaveProperty('private_key_pem');
    // The tool signs with the key it was given; its old key no longer verifies.
    const privateKey = await importPKCS8(pem, 'RS256');
    const signed = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl, { key: { ...tool.key, kid, privateKey } }), AGS_SCOPES.score));
    expect(signed.status).toBe(200);
    const old = await tokenFor(tool, AGS_SCOPES.score);
    expect({ status: old.status, code: old.body.failure_code }).toEqual({ status: 401, code: 'client_assertion_signature_invalid' });
    // A second generation makes another key.
    const again = await api.call('POST', `/tools/${record.id}/key-pair`);
    expect(again.body.kid).not.toBe(kid);
    expect(createHash('sha256').update(again.body.private_key_pem).digest('hex')).not.toBe(createHash('sha256').update(pem).digest('hex'));
  });

  it('answers the key-pair action for an unknown tool with 404 and refuses it from another site', async () => {
    expect((await api.call('POST', '/tools/no-such-tool/key-pair')).status).toBe(404);
    const { record } = await newTool();
    const crossSite = await api.fetch(`/tools/${record.id}/key-pair`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect((await api.call('GET', `/tools/${record.id}`)).body.public_key_url).toBe(record.public_key_url);
  });

  describe('in the console', () => {
    let client: ConsoleClient;
    beforeAll(() => {
      client = new ConsoleClient(world.launcher.url);
    });

    it('shows each service as a box with what the tool could read or write, and saves the boxes ticked', async () => {
      const { tool, record } = await newTool();
      const edit = await client.get(`/admin/tools/${record.id}/edit`);
      for (const [name, hint] of [
        ['ags_lineitem', 'Create, change and delete its own line items'], ['ags_lineitem_readonly', 'List and read its own line items'],
        ['ags_result_readonly', 'Read the results'], ['ags_score', 'Post scores'], ['nrps', 'List the members of the courses'],
      ] as const) {
        expect(edit.html).toMatch(new RegExp(`<input type="checkbox" name="${name}" value="on" checked aria-describedby="f-${name}-hint">`));
        expect(textOf(edit.html, `f-${name}-hint`)).toContain(hint);
      }
      const token = /name="_csrf" value="([^"]+)"/.exec(edit.html)![1]!;
      const saved = await client.post(`/admin/tools/${record.id}`, {
        _csrf: token, name: record.name, client_id: record.client_id, deployment_id: record.deployment_id,
        open_id_connect_initiation_url: record.open_id_connect_initiation_url, login_initiation_method: 'post', target_link_uri: record.target_link_uri,
        redirect_uris: '', key: tool.jwksUrl, custom: '', context_overridable_custom: '', share_name: 'on', ags_score: 'on', ags_result_readonly: 'on',
      });
      expect(saved.status).toBe(303);
      expect((await api.call('GET', `/tools/${record.id}`)).body).toMatchObject({ ags_scopes: [AGS_SCOPES.resultReadOnly, AGS_SCOPES.score], nrps: false });
      const detail = await client.get(`/admin/tools/${record.id}`);
      expect(detail.html).toContain('grades: result.readonly, grades: score');
      expect(detail.html).toContain(tokenUrl);
    });

    it('generates a key pair after a confirmation and shows the private key once, never cached', async () => {
      const { tool, record } = await newTool();
      const confirm = await client.get(`/admin/tools/${record.id}/key-pair`);
      expect(confirm.status).toBe(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(confirm.html)![1]!;
      const shown = await client.post(`/admin/tools/${record.id}/key-pair`, { _csrf: token });
      expect(shown.status).toBe(200);
      expect(shown.response.headers.get('cache-control')).toBe('no-store');
      const pem = /<textarea id="private-key"[^>]*>([\s\S]*?)<\/textarea>/.exec(shown.html)![1]!;
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      const view = (await api.call('GET', `/tools/${record.id}`)).body;
      const privateKey = await importPKCS8(pem, 'RS256');
      const answer = await postToken(tokenUrl, tokenForm(await tool.assertion(tokenUrl, { key: { ...tool.key, kid: view.public_jwk.kid, privateKey } }), AGS_SCOPES.score));
      expect(answer.status).toBe(200);
      expect((await client.get(`/admin/tools/${record.id}`)).html).not.toContain('PRIVATE KEY');
      // Without the page's token nothing is generated.
      const forged = await client.post(`/admin/tools/${record.id}/key-pair`, {});
      expect(forged.status).toBe(403);
      expect((await api.call('GET', `/tools/${record.id}`)).body.public_jwk.kid).toBe(view.public_jwk.kid);
    });
  });
});
