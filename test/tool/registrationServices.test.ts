/**
 * A registration's settings for the LMS's services (issue 17 item 1): the token audience and the
 * scopes to ask for, through the admin API and the console form, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../src/lti/services/scopes.ts';
import { scopesToAsk } from '../../src/tool/clients/accessTokens.ts';
import { AdminApi, ConsoleClient } from '../support/adminClient.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../support/db.ts';
import { textOf } from '../support/htmlForm.ts';
import { startRole, type RunningRole } from '../support/servers.ts';

const registration = (extra: Record<string, unknown> = {}) => ({
  name: 'Moodle', issuer: 'https://moodle.school.example', client_id: `client-${crypto.randomUUID()}`,
  authorization_endpoint: 'https://moodle.school.example/mod/lti/auth.php', jwks_url: 'https://moodle.school.example/mod/lti/certs.php',
  token_endpoint: 'https://moodle.school.example/mod/lti/token.php', ...extra,
});

describe.each(DIALECTS)('a registration’s service settings on %s', (dialect) => {
  let gateway: RunningRole;
  let databaseUrl: string | null;
  let api: AdminApi;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl(dialect);
    gateway = await startRole('tool', toolRoutes, { databaseUrl, framable: toolFramable });
    api = new AdminApi(gateway.url);
  });
  afterAll(async () => {
    await gateway?.close();
    await dropDatabase(databaseUrl);
  });

  it('has no audience and every offered scope by default', async () => {
    const created = await api.call('POST', '/registrations', registration());
    expect(created.status).toBe(201);
    expect({ audience: created.body.token_audience, scopes: created.body.service_scopes }).toEqual({ audience: null, scopes: [] });
  });

  it('saves a token audience and a scope list, kept in the standard’s order, and clears them', async () => {
    const created = await api.call('POST', '/registrations', registration({
      token_audience: 'https://api.brightspace.com/auth/token', service_scopes: [NRPS_SCOPE, AGS_SCOPES.score],
    }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.token_audience).toBe('https://api.brightspace.com/auth/token');
    expect(created.body.service_scopes).toEqual([AGS_SCOPES.score, NRPS_SCOPE]);
    const read = await api.call('GET', `/registrations/${created.body.id}`);
    expect(read.body.service_scopes).toEqual([AGS_SCOPES.score, NRPS_SCOPE]);
    const cleared = await api.call('PATCH', `/registrations/${created.body.id}`, { token_audience: '', service_scopes: [] });
    expect({ audience: cleared.body.token_audience, scopes: cleared.body.service_scopes }).toEqual({ audience: null, scopes: [] });
  });

  it('refuses a scope that is not AGS or NRPS, a scope list that is not a list, and an audience that is not text, naming each field', async () => {
    const unknown = await api.call('POST', '/registrations', registration({ service_scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/everything'] }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toBe('validation_failed');
    expect(unknown.body.fields.service_scopes).toMatch(/may only hold/);
    const notList = await api.call('POST', '/registrations', registration({ service_scopes: AGS_SCOPES.score, token_audience: 42 }));
    expect(notList.status).toBe(422);
    expect(Object.keys(notList.body.fields).sort()).toEqual(['service_scopes', 'token_audience']);
    const tooLong = await api.call('POST', '/registrations', registration({ token_audience: `https://x.example/${'a'.repeat(2100)}` }));
    expect(tooLong.body.fields).toEqual({ token_audience: 'must be at most 2000 characters' });
  });

  it('asks for the launch’s offered scopes, narrowed to the registration’s list when it has one', () => {
    const offered = [AGS_SCOPES.lineItem, AGS_SCOPES.score, NRPS_SCOPE];
    expect(scopesToAsk({ serviceScopes: [] }, offered)).toEqual(offered);
    expect(scopesToAsk({ serviceScopes: [AGS_SCOPES.score, AGS_SCOPES.resultReadOnly] }, offered)).toEqual([AGS_SCOPES.score]);
  });

  it('shows the fields in the console form, with help, and saves the ticked scopes and the audience', async () => {
    const client = new ConsoleClient(gateway.url);
    const form = await client.get('/admin/registrations/new');
    expect(form.html).toContain('name="token_audience"');
    expect(form.html).toContain('tick none to ask for every one the LMS offers');
    for (const box of ['scope_lineitem', 'scope_lineitem_readonly', 'scope_result_readonly', 'scope_score', 'scope_nrps']) expect(form.html).toContain(`name="${box}"`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1];
    const saved = await client.post('/admin/registrations', {
      _csrf: token, name: 'Brightspace', issuer: 'https://school.brightspace.example', client_id: 'bs-client', deployment_ids: '',
      authorization_endpoint: 'https://auth.brightspace.example/oauth2/auth', token_endpoint: 'https://auth.brightspace.example/core/connect/token',
      token_audience: ' https://api.brightspace.com/auth/token ', key: 'https://school.brightspace.example/d2l/.well-known/jwks',
      scope_score: 'on', scope_nrps: 'on',
    });
    expect(saved.status, saved.html.slice(0, 600)).toBe(303);
    const page = await client.get(saved.location!);
    expect(page.html).toContain('<code>https://api.brightspace.com/auth/token</code>');
    expect(page.html).toContain(`<code>${AGS_SCOPES.score}</code>`);
    expect(page.html).not.toContain(`<code>${AGS_SCOPES.lineItem}</code>`);
    const id = saved.location!.split('/').pop()!.split('?')[0];
    const stored = await api.call('GET', `/registrations/${id}`);
    expect({ audience: stored.body.token_audience, scopes: stored.body.service_scopes }).toEqual({ audience: 'https://api.brightspace.com/auth/token', scopes: [AGS_SCOPES.score, NRPS_SCOPE] });
    const edit = await client.get(`/admin/registrations/${id}/edit`);
    expect(edit.html).toMatch(/name="scope_score" value="on" checked/);
    expect(edit.html).not.toMatch(/name="scope_lineitem" value="on" checked/);
    expect(textOf(edit.html, 'f-token_audience-hint')).toContain('Brightspace');
  });
});
