import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiResponder } from '../../examples/chatbot/responders.ts';
import { startChatbot, type RunningChatbot } from '../../examples/chatbot/chatbot.ts';
import { CLAIM } from '../../src/lti/claims.ts';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { readForm } from '../support/htmlForm.ts';
import { launch, useGateway } from './support/gatewaySetup.ts';

const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const TA = 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant';

describe.each(DIALECTS)('LMS → gateway → example chatbot over real HTTP (%s)', (dialect) => {
  const world = useGateway({ dialect, apps: { chatbot: { slug: 'chatbot' } } });
  let chatbot: RunningChatbot;

  beforeAll(async () => {
    const { gateway } = world;
    const app = world.apps.chatbot;
    chatbot = await startChatbot({ port: 0, gatewayUrl: gateway.url, apiKey: app.api_key });
    expect((await gateway.admin('PATCH', `/apps/${app.id}`, { app_url: `${chatbot.url}/lti` })).status).toBe(200);
  });
  afterAll(async () => {
    await chatbot?.close();
  });

  /** A user opens the assistant from the LMS: returns the browser (with its chatbot session) and the page. */
  /** `course: null` launches without a context claim (a link outside any course). */
  async function open(user: { sub: string; name: string; roles: string[]; course?: string | null }) {
    const browser = new Browser();
    const claims: Record<string, unknown> = { sub: user.sub, name: user.name, given_name: user.name.split(' ')[0], [CLAIM.roles]: user.roles };
    if (user.course) claims[CLAIM.context] = { id: user.course, title: `Course ${user.course}` };
    if (user.course === null) claims[CLAIM.context] = undefined;
    const run = await launch(browser, world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { claims } });
    expect(run.launch!.status).toBe(303);
    const landing = run.launch!.headers.get('location')!;
    expect(landing.startsWith(`${chatbot.url}/lti?launch_code=`)).toBe(true);
    const redeemed = await browser.get(landing);
    expect(redeemed.status).toBe(303);
    const page = await browser.get(`${chatbot.url}/`);
    return { browser, landing, page, html: await page.text() };
  }
  const api = (browser: Browser, method: string, path: string, body?: unknown) =>
    browser.request(`${chatbot.url}${path}`, { method, headers: { accept: '*/*', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  it('shows who you are, your role and your course, and says the responder is a demo', async () => {
    const { page, html } = await open({ sub: 'teacher-1', name: 'Grace Hopper', roles: [INSTRUCTOR], course: 'c1' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(html).toContain('Grace Hopper');
    expect(html).toContain('Instructor');
    expect(html).toContain('Course c1');
    expect(html).toContain('Demo responder');
  });

  it('redeems the code on the server, once: opening the same landing URL again is refused', async () => {
    const { landing } = await open({ sub: 'teacher-1', name: 'Grace Hopper', roles: [INSTRUCTOR], course: 'c1' });
    const again = await new Browser().get(landing);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('expired or was already used');
  });

  it('refuses everything without its own session', async () => {
    expect((await new Browser().get(`${chatbot.url}/`)).status).toBe(401);
    expect((await api(new Browser(), 'GET', '/api/me')).status).toBe(401);
  });

  it('lets staff edit the course instructions and refuses learners with 403, on the server', async () => {
    const teacher = await open({ sub: 'teacher-1', name: 'Grace Hopper', roles: [INSTRUCTOR], course: 'c1' });
    const learner = await open({ sub: 'student-1', name: 'Alan Turing', roles: [LEARNER], course: 'c1' });
    expect(learner.html).not.toContain('Save instructions');

    const saved = await api(teacher.browser, 'PUT', '/api/instructions', { instructions: 'Answer in French.' });
    expect(saved.status).toBe(200);
    const refused = await api(learner.browser, 'PUT', '/api/instructions', { instructions: 'Give me the answers.' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden' });
    // The HTML form path is guarded the same way, even with a valid CSRF token.
    const csrf = readForm(learner.html).fields.csrf;
    const formRefused = await learner.browser.post(`${chatbot.url}/instructions`, { csrf, instructions: 'x' });
    expect(formRefused.status).toBe(403);
    expect(await (await api(learner.browser, 'GET', '/api/instructions')).json()).toEqual({ instructions: 'Answer in French.' });
  });

  it('confirms a saved (or cleared) instruction on the page it returns to', async () => {
    const teacher = await open({ sub: 'teacher-2', name: 'Ada Lovelace', roles: [INSTRUCTOR], course: 'c4' });
    const csrf = readForm(teacher.html).fields.csrf;
    const saved = await teacher.browser.post(`${chatbot.url}/instructions`, { csrf, instructions: 'Answer in haiku.' });
    expect(saved.status).toBe(303);
    const page = await (await teacher.browser.get(new URL(saved.headers.get('location')!, `${chatbot.url}/instructions`).href)).text();
    expect(page).toContain('role="status"');
    expect(page).toContain('Instructions saved.');
    const cleared = await teacher.browser.post(`${chatbot.url}/instructions`, { csrf, instructions: '' });
    expect(await (await teacher.browser.get(new URL(cleared.headers.get('location')!, `${chatbot.url}/instructions`).href)).text()).toContain('Instructions cleared.');
    // The notice is for people who can save: a learner opening the same address sees none.
    const learner = await open({ sub: 'student-9', name: 'Alan Turing', roles: [LEARNER], course: 'c4' });
    expect(await (await learner.browser.get(`${chatbot.url}/?saved=instructions`)).text()).not.toContain('Instructions saved.');
  });

  it('refuses a TA under the gateway’s default permissions with a sentence that names the permission, not “staff”', async () => {
    const ta = await open({ sub: 'ta-1', name: 'Grace Hopper', roles: [TA], course: 'c1' });
    expect(ta.html).toContain('TeachingAssistant');
    expect(ta.html).not.toContain('Save instructions');
    const refused = await api(ta.browser, 'PUT', '/api/instructions', { instructions: 'x' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toMatch(/needs the configure permission.*gateway’s admin decides/);
  });

  it('says a launch without a course has none, instead of showing the link’s name as the course', async () => {
    const { html } = await open({ sub: 'teacher-3', name: 'Ada Lovelace', roles: [INSTRUCTOR], course: null });
    expect(html).toContain('Course: <em>none (opened outside a course)</em>');
    expect(html).toContain('Assistant instructions for this link');
  });

  it('keeps the message field and the instructions inside the card (border-box sizing)', async () => {
    const { html } = await open({ sub: 'teacher-1', name: 'Grace Hopper', roles: [INSTRUCTOR], course: 'c1' });
    expect(html).toContain('*,*::before,*::after{box-sizing:border-box}');
  });

  it('keeps conversations per course and per user, and the instructions per course', async () => {
    const a = await open({ sub: 'student-2', name: 'Ada Byron', roles: [LEARNER], course: 'c2' });
    const b = await open({ sub: 'student-3', name: 'Edsger Dijkstra', roles: [LEARNER], course: 'c2' });
    const aOther = await open({ sub: 'student-2', name: 'Ada Byron', roles: [LEARNER], course: 'c3' });

    const sent = await api(a.browser, 'POST', '/api/messages', { message: 'What are the instructions?' });
    expect(sent.status).toBe(200);
    expect((await sent.json()).reply).toContain('No instructions have been set');
    const viaForm = await a.browser.post(`${chatbot.url}/messages`, { csrf: readForm(a.html.slice(a.html.lastIndexOf('<form'))).fields.csrf, message: 'hello' });
    expect(viaForm.status).toBe(303);

    const messagesOf = async (browser: Browser) => ((await (await api(browser, 'GET', '/api/messages')).json()).messages as Array<{ role: string; content: string }>);
    expect((await messagesOf(a.browser)).map((m) => m.content)).toEqual(['What are the instructions?', expect.stringContaining('No instructions'), 'hello', expect.stringContaining('Hello Ada')]);
    expect(await messagesOf(b.browser)).toEqual([]);
    expect(await messagesOf(aOther.browser)).toEqual([]);
    expect(await (await api(aOther.browser, 'GET', '/api/instructions')).json()).toEqual({ instructions: '' });
    expect((await a.browser.post(`${chatbot.url}/messages`, { csrf: 'wrong', message: 'x' })).status).toBe(403);
  });
});

describe('chatbot with an OpenAI-compatible endpoint', () => {
  let endpoint: Server;
  let endpointUrl: string;
  const received: any[] = [];

  beforeAll(async () => {
    endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ url: req.url, authorization: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Bonjour !' } }] }));
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => new Promise<void>((resolve) => endpoint.close(() => resolve())));

  it('sends the instructions, the history and the message, and returns the model’s answer', async () => {
    const responder = openAiResponder({ baseUrl: endpointUrl, apiKey: 'sk-test', model: 'small-model' });
    expect(responder.label).toContain('small-model');
    const answer = await responder.reply({
      instructions: 'Answer in French.', history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'salut' }],
      message: 'Hello?', userName: 'Ada', courseTitle: 'Biology 101',
    });
    expect(answer).toBe('Bonjour !');
    expect(received[0]).toMatchObject({ url: '/v1/chat/completions', authorization: 'Bearer sk-test', body: { model: 'small-model' } });
    const messages = received[0].body.messages;
    expect(messages[0]).toMatchObject({ role: 'system' });
    expect(messages[0].content).toContain('Answer in French.');
    expect(messages[0].content).toContain('Biology 101');
    expect(messages.slice(1)).toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'salut' }, { role: 'user', content: 'Hello?' }]);
  });
});
