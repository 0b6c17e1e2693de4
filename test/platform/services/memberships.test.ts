import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { ROLE } from '../../../src/lti/roles.ts';
import { MEMBERSHIP_CONTAINER_MEDIA_TYPE } from '../../../src/lti/services/memberships.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { getMembers, issueToken, launchIn, linksOf, pushRoster } from './nrpsSupport.ts';

const COURSE = { id: 'nrps 101/a', label: 'NRPS 101', title: 'Rosters' };

describe.each(DIALECTS)('Names and Role Provisioning on %s', (dialect) => {
  let world!: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));
  let url = '';
  let token = '';

  it('puts the namesroleservice claim in a launch with a context, and none without', async () => {
    const payload = await launchIn(world, 'ada', COURSE);
    url = `${world.platform.base_url}/api/lti/contexts/${encodeURIComponent(COURSE.id)}/memberships`;
    expect(payload[CLAIM.nrps]).toEqual({ context_memberships_url: url, service_versions: ['2.0'] });
    const without = await launchIn(world, 'ada');
    expect(without[CLAIM.nrps]).toBeUndefined();
    await launchIn(world, 'alan', COURSE);
    await launchIn(world, 'grace', COURSE);
    token = await issueToken(world, { scopes: [NRPS_SCOPE] });
  });

  it('lists every user who launched in the context as an Active member, in the membership container', async () => {
    const res = await getMembers(url, token);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.ims\.lti-nrps\.v2\.membershipcontainer\+json/);
    const body = (await res.json()) as any;
    expect(body.id).toBe(`${url}?limit=100`);
    expect(body.context).toEqual(COURSE);
    expect(body.members).toEqual([
      { user_id: 'ada', status: 'Active', roles: [ROLE.Instructor], name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada.lovelace@school.example' },
      expect.objectContaining({ user_id: 'alan', status: 'Active', roles: [ROLE.Learner], email: 'alan.turing@school.example' }),
      expect.objectContaining({ user_id: 'grace', status: 'Active', roles: [ROLE.TeachingAssistant] }),
    ]);
    expect(Object.keys(linksOf(res))).toEqual(['differences']);
  });

  it('filters by role, as a full URI or a short name', async () => {
    const ids = async (role: string) => ((await (await getMembers(`${url}?role=${encodeURIComponent(role)}`, token)).json()) as any).members.map((m: any) => m.user_id);
    expect(await ids('Learner')).toEqual(['alan']);
    expect(await ids(ROLE.Instructor)).toEqual(['ada']);
    expect(await ids('TeachingAssistant')).toEqual(['grace']);
    expect(await ids('Mentor')).toEqual([]);
    // Matched as the whole role, not as a pattern: no wildcard, no part of a URI.
    for (const pattern of ['%', '_', 'membership', '"', `${ROLE.Learner.slice(0, -1)}_`]) expect(await ids(pattern)).toEqual([]);
  });

  it('pages with limit and rel="next" until no next link, keeping the filters', async () => {
    const seen: string[] = [];
    let next: string | undefined = `${url}?limit=1`;
    let pages = 0;
    while (next) {
      const res = await getMembers(next, token);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.members).toHaveLength(1);
      seen.push(...body.members.map((m: any) => m.user_id));
      const links = linksOf(res);
      expect(links.differences).toBeDefined();
      next = links.next;
      if (next) expect(new URL(next).searchParams.get('limit')).toBe('1');
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['ada', 'alan', 'grace']);
    const filtered = await getMembers(`${url}?role=${encodeURIComponent(ROLE.Learner)}&limit=1&rlid=week-1`, token);
    expect(linksOf(filtered).next).toBeUndefined();
    expect(new URL(linksOf(filtered).differences!).searchParams.get('role')).toBe(ROLE.Learner);
    expect(new URL(linksOf(filtered).differences!).searchParams.get('rlid')).toBe('week-1');
  });

  it('answers the differences link with the members changed since that page, Inactive ones included', async () => {
    // The launches above, as if they had been a minute ago: nothing has changed since.
    await world.launcher.services.db.updateTable('members').set((eb) => ({ updated_at: eb('updated_at', '-', 60_000) })).execute();
    const push = async (ids: string[]) => {
      const res = await pushRoster(world, COURSE.id, { members: ids.map((sub) => ({ sub, roles: [sub === 'ada' ? 'Instructor' : 'Learner'] })) });
      expect(res.status).toBe(200);
    };
    await push(['ada', 'alan', 'pat']);
    const page = await getMembers(url, token);
    const differences = linksOf(page).differences!;
    expect(((await page.json()) as any).members.map((m: any) => [m.user_id, m.status])).toEqual([
      ['ada', 'Active'], ['alan', 'Active'], ['grace', 'Active'], ['pat', 'Active'],
    ]);
    await world.launcher.services.db.updateTable('members').set((eb) => ({ updated_at: eb('updated_at', '-', 60_000) })).execute();
    await push(['ada', 'grace']);
    const changed = await getMembers(differences, token);
    expect(changed.status).toBe(200);
    const body = (await changed.json()) as any;
    expect(body.members.map((m: any) => [m.user_id, m.status, m.roles])).toEqual([
      ['alan', 'Inactive', [ROLE.Learner]], ['grace', 'Active', [ROLE.Learner]], ['pat', 'Inactive', [ROLE.Learner]],
    ]);
    expect(linksOf(changed).differences).toBeDefined();
    const all = (await (await getMembers(url, token)).json()) as any;
    expect(all.members.map((m: any) => [m.user_id, m.status])).toEqual([['ada', 'Active'], ['alan', 'Inactive'], ['grace', 'Active'], ['pat', 'Inactive']]);
  });

  it('shows only what the tool’s share settings allow: no email for a tool that may not see email', async () => {
    const patched = await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { share_email: false, share_picture: false } });
    expect(patched.status).toBe(200);
    try {
      const body = (await (await getMembers(url, token)).json()) as any;
      const ada = body.members.find((m: any) => m.user_id === 'ada');
      expect(ada).toEqual({ user_id: 'ada', status: 'Active', roles: [ROLE.Instructor], name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' });
      expect(JSON.stringify(body)).not.toContain('@school.example');
      await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { share_name: false } });
      const nameless = (await (await getMembers(url, token)).json()) as any;
      expect(nameless.members.find((m: any) => m.user_id === 'ada')).toEqual({ user_id: 'ada', status: 'Active', roles: [ROLE.Instructor] });
    } finally {
      await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { share_email: true, share_picture: true, share_name: true } });
    }
  });

  it('refuses another platform’s token with 401, a token without the NRPS scope with 403, no token with 401', async () => {
    const other = await world.admin('/platforms', {
      body: { name: 'Shelbyville', slug: 'shelbyville', openid_configuration_url: world.idp.discoveryUrl, client_id: 'x', client_secret: 'y' },
    });
    expect(other.status).toBe(201);
    const otherPlatform = (await other.json()) as any;
    // The same tool (client id and key) registered on the other platform too.
    const otherTool = await world.admin(`/platforms/${otherPlatform.id}/tools`, {
      body: { name: 'T', client_id: world.tool.clientId, open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_key_url: `${world.tool.url}/jwks` },
    });
    expect(otherTool.status).toBe(201);
    const foreign = await issueToken(world, { tokenUrl: otherPlatform.token_url, scopes: [NRPS_SCOPE] });
    const refused = await getMembers(url, foreign);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expectRefused(refused, 401, 'access_token_invalid', { shape: 'json' });
    // Its own platform's URL for the same context id: that platform has no one in it.
    await expectRefused(await getMembers(`${otherPlatform.base_url}/api/lti/contexts/${encodeURIComponent(COURSE.id)}/memberships`, foreign), 404, 'memberships_context_unknown');

    const agsOnly = await issueToken(world, { scopes: [AGS_SCOPES.lineItem, AGS_SCOPES.score] });
    const forbidden = await getMembers(url, agsOnly);
    expect(forbidden.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(forbidden.headers.get('www-authenticate')).toContain(NRPS_SCOPE);
    await expectRefused(forbidden, 403, 'access_token_scope_insufficient', { shape: 'json' });
    await expectRefused(await getMembers(url, null), 401, 'access_token_missing');
  });

  it('answers an Accept it cannot satisfy with 406, plain JSON as application/json', async () => {
    await expectRefused(await getMembers(url, token, 'application/vnd.ims.lis.v2.lineitemcontainer+json'), 406, 'service_accept_unsupported', { shape: 'json' });
    await expectRefused(await getMembers(url, token, `${MEMBERSHIP_CONTAINER_MEDIA_TYPE};q=0, text/html`), 406, 'service_accept_unsupported');
    const json = await getMembers(url, token, 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const any = await getMembers(url, token, null);
    expect(any.headers.get('content-type')).toMatch(/^application\/vnd\.ims\.lti-nrps\.v2\.membershipcontainer\+json/);
  });

  it('refuses a malformed limit or since with 400 naming it, a context no one launched in with 404', async () => {
    const message = async (query: string) => JSON.parse(await expectRefused(await getMembers(`${url}?${query}`, token), 400, 'memberships_query_invalid')).message;
    expect(await message('limit=ten')).toContain('"limit"');
    expect(await message('limit=0')).toContain('"limit"');
    expect(await message('since=yesterday')).toContain('"since"');
    expect(await message('role=a&role=b')).toContain('"role"');
    await expectRefused(await getMembers(`${world.platform.base_url}/api/lti/contexts/never-seen/memberships`, token), 404, 'memberships_context_unknown');
    const capped = (await (await getMembers(`${url}?limit=5000`, token)).json()) as any;
    expect(new URL(capped.id).searchParams.get('limit')).toBe('1000');
  });

  it('leaves the claim out for a tool whose NRPS setting is off, and refuses its token', async () => {
    await world.launcher.services.db.updateTable('tools').set({ nrps: 0 }).where('id', '=', world.toolRecord.id).execute();
    world.launcher.services.cache.invalidate();
    try {
      const payload = await launchIn(world, 'ada', COURSE);
      expect(payload[CLAIM.context]).toBeDefined();
      expect(payload[CLAIM.nrps]).toBeUndefined();
      await expectRefused(await getMembers(url, token), 403, 'nrps_disabled');
    } finally {
      await world.launcher.services.db.updateTable('tools').set({ nrps: 1 }).where('id', '=', world.toolRecord.id).execute();
      world.launcher.services.cache.invalidate();
    }
  });
});
