import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatbot, type RunningChatbot } from '../../examples/chatbot/chatbot.ts';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { readForm } from '../support/htmlForm.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { Portal } from '../platform/harness.ts';
import { DIALECTS } from '../support/db.ts';
import { useGateway } from './support/gatewaySetup.ts';
import { startLauncherInFront, type LauncherInFront } from './support/launcherInFront.ts';

/** Our own launcher (platform role) → the gateway (tool role) → the example chatbot, all over real HTTP. */
describe.each(DIALECTS)('launcher → gateway → chatbot end to end (%s)', (dialect) => {
  const world = useGateway({ dialect, lms: 'none', apps: { chatbot: { slug: 'chatbot' } } });
  let front: LauncherInFront;
  let chatbot: RunningChatbot;
  let portal: Portal;
  let tool: Record<string, any>;

  beforeAll(async () => {
    front = await startLauncherInFront(dialect);
    ({ portal } = front);
    // The gateway's app and the chatbot behind it.
    const app = world.apps.chatbot;
    chatbot = await startChatbot({ port: 0, gatewayUrl: world.gateway.url, apiKey: app.api_key });
    expect((await world.gateway.admin('PATCH', `/apps/${app.id}`, { app_url: `${chatbot.url}/` })).status).toBe(200);
    tool = await front.connectGateway(world.gateway, { name: 'Course assistant', targetLinkUri: app.launch_url });
  });
  afterAll(async () => {
    await chatbot?.close();
    await front?.close();
  });

  it('takes a teacher from the portal link to the chatbot, signed in with role and course', async () => {
    const context = await portal.context({ [CLAIM.context]: { id: 'math-101', label: 'MATH 101', title: 'Algebra' } });
    const browser = new Browser();
    const link = new URL(tool.launch_url);
    link.searchParams.set('context', context);
    const first = await browser.request(link.href);
    expect(first.status).toBe(303);
    const callbackUrl = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const callback = await browser.request(callbackUrl.href);
    // The tool's login initiation method is the default: an auto-submitting form posted to the gateway.
    expect(callback.status).toBe(200);
    const initiation = readForm(await callback.text());
    expect(initiation.action).toBe(`${world.gateway.url}/lti/login`);
    expect(initiation.fields).toMatchObject({ target_link_uri: world.apps.chatbot.launch_url, client_id: 'gateway-client', lti_deployment_id: tool.deployment_id });

    const login = await browser.post(initiation.action, initiation.fields, {}, { site: 'cross-site' });
    expect(login.status).toBe(302);
    const auth = await browser.request(login.headers.get('location')!);
    const autoPost = await auth.text();
    expect(auth.status, autoPost.slice(0, 300)).toBe(200);
    const form = readForm(autoPost);
    const launched = await browser.request(form.action, {
      method: 'POST', body: new URLSearchParams(form.fields), site: 'cross-site',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(launched.status, await launched.clone().text()).toBe(303);
    const landing = launched.headers.get('location')!;
    expect(landing.startsWith(`${chatbot.url}/?launch_code=`)).toBe(true);

    expect((await browser.request(landing)).status).toBe(303);
    const page = await (await browser.request(`${chatbot.url}/`)).text();
    expect(page).toContain('Ada Lovelace');
    expect(page).toContain('Instructor');
    expect(page).toContain('Algebra');
    expect(page).toContain('Save instructions');

    const launches = (await world.gateway.admin('GET', '/launches?outcome=success')).body.launches;
    expect(launches[0]).toMatchObject({ user_sub: 'ada', storage: 'cookie' });
  });
});
