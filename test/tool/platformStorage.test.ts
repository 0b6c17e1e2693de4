import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { dataAttributes, readForm } from '../support/htmlForm.ts';
import { launch, useGateway } from './support/gatewaySetup.ts';

/**
 * The get page's own post, as a browser sends it: the page is this gateway's, served with
 * Referrer-Policy: no-referrer, so the browser says `Origin: null` and `Sec-Fetch-Site: same-origin`.
 */
const OWN_PAGE = { origin: 'null' };

describe.each(DIALECTS)('binding the launch to the browser: cookie, platform storage, cookie-less fallback (%s)', (dialect) => {
  const world = useGateway({ dialect, apps: { chatbot: { slug: 'chatbot' } } });

  const storageOfLatestSuccess = async () =>
    (await world.gateway.admin('GET', '/launches?outcome=success&limit=1')).body.launches[0].storage as string;

  /** Login with lti_storage_target: the put page, then the LMS, then the launch's get page. */
  async function storageLaunch(browser: Browser) {
    const login = await browser.get(`${world.gateway.url}/lti/login?${new URLSearchParams({
      iss: world.lms.issuer, login_hint: 'h', target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId, lti_storage_target: '_parent',
    })}`);
    const putPage = await login.text();
    const put = dataAttributes(putPage, 'lti-storage');
    const auth = await browser.get(put.next);
    const getPageResponse = await browser.submitForm(await auth.text(), world.lms.url);
    return { login, putPage, put, getPageResponse, getPage: await getPageResponse.text() };
  }

  it('uses SameSite=None cookies when the browser keeps them', async () => {
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
    expect(run.launch!.status).toBe(303);
    expect(await storageOfLatestSuccess()).toBe('cookie');
  });

  it('stores the binding in the platform’s frame (lti.put_data) and reads it back (lti.get_data) when cookies are blocked', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const { login, putPage, put, getPageResponse, getPage } = await storageLaunch(browser);
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors ${world.lms.url}$`));
    expect(login.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(putPage).toContain('<script src="/lti/platform-storage.js"></script>');
    expect(put).toMatchObject({ mode: 'put', target: '_parent', origin: world.lms.url });
    expect(put.key).toMatch(/^lti_state_/);
    expect(put.value.length).toBeGreaterThanOrEqual(43);
    expect(new URL(put.next).searchParams.get('redirect_uri')).toBe(world.apps.chatbot.launch_url);

    expect(getPageResponse.status).toBe(200);
    const get = dataAttributes(getPage, 'lti-storage');
    expect(get).toMatchObject({ mode: 'get', target: '_parent', origin: world.lms.url, key: put.key });
    const form = readForm(getPage);
    expect(form.action).toBe('/lti/launch/chatbot');
    expect(form.fields.id_token).toBeTruthy();
    // The clear state sent at login, not the hash the gateway keeps in login_states.
    expect(form.fields.state).toBe(new URL(put.next).searchParams.get('state'));

    // What the script does once the platform answers lti.get_data with the stored value.
    const done = await browser.submitForm(getPage, world.gateway.url, { lti_storage_binding: put.value }, OWN_PAGE);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toContain('launch_code=');
    expect(await storageOfLatestSuccess()).toBe('platform_storage');
  });

  it('refuses a value from platform storage that is not this login’s (401 state_browser_mismatch)', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const { getPage } = await storageLaunch(browser);
    const form = readForm(getPage);
    const refused = await browser.submitForm(getPage, world.gateway.url, { lti_storage_binding: 'someone-elses-value' }, OWN_PAGE);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('state_browser_mismatch');
  });

  it('falls back to a fresh single-use state when the platform storage does not answer', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const { getPage } = await storageLaunch(browser);
    const form = readForm(getPage);
    const done = await browser.submitForm(getPage, world.gateway.url, { lti_storage_unavailable: '1' }, OWN_PAGE);
    expect(done.status).toBe(303);
    expect(await storageOfLatestSuccess()).toBe('none');
    const replay = await browser.submitForm(getPage, world.gateway.url, { lti_storage_unavailable: '1' }, OWN_PAGE);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('state_used');
  });

  it('falls back to a fresh single-use state when cookies are blocked and no platform storage is offered', async () => {
    const browser = new Browser();
    browser.cookiesEnabled = false;
    const run = await launch(browser, world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
    expect(run.launch!.status).toBe(303);
    expect(await storageOfLatestSuccess()).toBe('none');
  });

  it('prefers the cookie when it came back even though platform storage was offered', async () => {
    const browser = new Browser();
    const { getPageResponse } = await storageLaunch(browser);
    expect(getPageResponse.status).toBe(303);
    expect(await storageOfLatestSuccess()).toBe('cookie');
  });

  it('serves the storage script as a file of its own', async () => {
    const response = await fetch(`${world.gateway.url}/lti/platform-storage.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    const script = await response.text();
    for (const text of ['lti.put_data', 'lti.get_data', 'event.origin !== d.origin', 'message_id']) expect(script).toContain(text);
  });
});
