/**
 * The demo's Grades page, in real Chromium: a grading tool is launched from the portal, posts a
 * score through the launcher's real token endpoint and AGS, and the portal's Grades page (which
 * reads the launcher's portal API with its own signed token) shows it with the student's name
 * from the roster the portal pushed at start.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../demo/demo.ts';
import { AGS_ENDPOINT_CLAIM, type AgsEndpointClaim } from '../../src/lti/services/ags.ts';
import { AGS_SCOPES } from '../../src/lti/services/scopes.ts';
import { FakeTool } from '../platform/harness.ts';
import { createLineItem, postScore } from '../platform/services/agsWorld.ts';
import { HAS_CHROMIUM, noteSkippedBrowserTests, screenshot } from '../support/chromium.ts';
import { useDemoInChromium } from './support/testDemo.ts';

noteSkippedBrowserTests();

describe.skipIf(!HAS_CHROMIUM)('the demo portal’s Grades page', { timeout: 90_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  const tool = new FakeTool();

  useDemoInChromium((d, b) => {
    demo = d;
    browser = b;
  });
  afterAll(async () => {
    if (tool.url) await tool.close();
  });

  const admin = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${demo.urls.launcher}/admin/api/v1${path}`, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: {
        authorization: `Basic ${Buffer.from(`${demo.adminUser}:${demo.adminPassword}`).toString('base64')}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as any;
  };

  it('has the course roster, pushed by the portal when the demo started', async () => {
    const { platforms } = await admin('/platforms');
    const { members } = await admin(`/platforms/${platforms[0].id}/contexts/42/members`);
    expect(members.map((m: any) => [m.user_id, m.name, m.status, m.source])).toEqual([
      ['ada', 'Ada Lovelace', 'Active', ['roster']],
      ['alan', 'Alan Turing', 'Active', ['roster']],
      ['grace', 'Grace Hopper', 'Active', ['roster']],
    ]);
  });

  it('shows the score a tool posted, with the student’s name, linked from the course page', async () => {
    const { platforms } = await admin('/platforms');
    const platform = platforms[0];
    await tool.start();
    tool.clientId = 'demo-quiz';
    const created = await admin(`/platforms/${platform.id}/tools`, {
      body: { name: 'Quiz Tool', client_id: tool.clientId, open_id_connect_initiation_url: `${tool.url}/login`, target_link_uri: `${tool.url}/launch`, public_key_url: `${tool.url}/jwks` },
    });
    // The tool's key for its client assertions: the pair the console hands a tool's owner.
    const { private_key_pem: pem, kid } = await admin(`/tools/${created.id}/key-pair`, { method: 'POST' });
    tool.issuer = platform.issuer;
    tool.platformAuthUrl = `${platform.base_url}/auth`;
    tool.platformJwksUrl = platform.jwks_url;

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Quiz Tool' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost');
    await page.getByRole('button', { name: /Alan Turing/ }).click();
    await expect.poll(() => tool.launches.length, { timeout: 20_000 }).toBe(1);
    // The tool counts the launch when the form post arrives; let the browser finish that navigation
    // before it goes elsewhere (else the next page.goto is interrupted by it).
    await page.waitForURL((u) => u.href.startsWith(`${tool.url}/launch`), { waitUntil: 'load', timeout: 20_000 });
    const launched = tool.launches[0]!;
    const lineitems = (launched[AGS_ENDPOINT_CLAIM] as AgsEndpointClaim).lineitems;

    // The tool's side, as its developer writes it: a client assertion for the token endpoint, then AGS.
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(tool.clientId).setSubject(tool.clientId).setAudience(platform.token_url)
      .setJti(randomUUID()).setIssuedAt().setExpirationTime('5m')
      .sign(await importPKCS8(pem, 'RS256'));
    const tokenResponse = await fetch(platform.token_url, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion, scope: `${AGS_SCOPES.lineItem} ${AGS_SCOPES.score}`,
      }),
    });
    expect(tokenResponse.status, await tokenResponse.clone().text()).toBe(200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const item = await createLineItem(lineitems, token, { label: 'Quiz: <the answer>', scoreMaximum: 42 });
    const scored = await postScore(item.id, token, {
      userId: launched.sub, scoreGiven: 41, scoreMaximum: 42, comment: 'Nearly there', timestamp: new Date().toISOString(),
      activityProgress: 'Completed', gradingProgress: 'FullyGraded',
    });
    expect(scored.status, await scored.clone().text()).toBe(200);

    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Grades' }).click();
    await page.getByRole('heading', { name: 'Quiz: <the answer>' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Alan Turing' });
    expect(await row.innerText()).toMatch(/Alan Turing\s+41 \/ 42\s+Nearly there/);
    expect(await page.getByText('From Quiz Tool').count()).toBe(1);
    await screenshot(page, 'demo-grades', 'grades-page');
    await context.close();
  });
});
