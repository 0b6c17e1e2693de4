import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LaunchRedeemError, redeemLaunch } from './gatewayClient.ts';
import { chatPage, courseTitleOf, layout, messagePage, type SavedNotice } from './pages.ts';
import { demoResponder, type Responder } from './responders.ts';
import { ChatStore, SESSION_TTL_MS, type Session } from './store.ts';

export interface ChatbotOptions {
  port: number;
  host?: string;
  /** Base URL of the tool gateway, which hands launches to this app. */
  gatewayUrl: string;
  /** This app's API key at the gateway. */
  apiKey: string;
  /** Signs the session cookie; a random one per process when not given (sessions then end on restart). */
  sessionSecret?: string;
  responder?: Responder;
  /** SQLite file for sessions, instructions and conversations; in memory when not given. */
  dataFile?: string;
  /** Where users reach the chatbot (behind a proxy); defaults to the address it listens on. */
  publicUrl?: string;
  /** pino level of the request log; silent when not given. */
  logLevel?: string;
}

export interface RunningChatbot {
  app: FastifyInstance;
  url: string;
  store: ChatStore;
  close(): Promise<void>;
}

const SESSION_COOKIE = 'chatbot_session';

/**
 * The chatbot checks a permission, never a role: which roles have `configure` is the gateway
 * admin's choice (the app's permission map), so the refusal names the permission, not "staff".
 */
const NOT_CONFIGURE = 'Changing the assistant’s instructions needs the configure permission, which your role does not have here. The tool gateway’s admin decides which roles have it.';

function savedNoticeOf(value: unknown): SavedNotice {
  return value === 'instructions' || value === 'instructions_cleared' ? value : null;
}

/**
 * The example chatbot: a small web app that knows nothing about LTI. The gateway sends the browser
 * here with `?launch_code=…`; the server redeems the code with its API key, keeps its own session,
 * and enforces permissions itself (only `configure` may edit a course's assistant instructions).
 */
export async function startChatbot(options: ChatbotOptions): Promise<RunningChatbot> {
  const store = new ChatStore(options.dataFile);
  const responder = options.responder ?? demoResponder;
  const app = Fastify({ logger: options.logLevel ? { level: options.logLevel } : false });
  await app.register(cookie, { secret: options.sessionSecret ?? randomBytes(32).toString('hex') });
  await app.register(formbody);

  // Shown inside the LMS's frame: framable, no script at all, styles by nonce.
  app.addHook('onRequest', async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    (reply as any).styleNonce = nonce;
    reply.header('content-security-policy', `default-src 'none'; style-src 'nonce-${nonce}'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors *`);
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
  });

  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(layout(title, body, (reply as any).styleNonce));

  const sessionOf = (request: FastifyRequest): Session | null => {
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? store.session(unsigned.value) : null;
  };
  const requireSession = (request: FastifyRequest, reply: FastifyReply): Session | null => {
    const session = sessionOf(request);
    if (!session) {
      if (request.url.startsWith('/api/')) reply.code(401).send({ error: 'no_session' });
      else html(reply, 401, 'Open this from your course', messagePage('Open this from your course', 'This assistant is opened from a link in your course.'));
    }
    return session;
  };
  const checkCsrf = (session: Session, body: Record<string, string> | undefined) => body?.csrf === session.csrf;

  // Where the gateway sends the browser: `/lti` (or `/`) with `?launch_code=…`.
  const landing = async (request: FastifyRequest<{ Querystring: { launch_code?: string; saved?: string } }>, reply: FastifyReply) => {
    const code = request.query.launch_code;
    if (code) {
      try {
        const launch = await redeemLaunch(options.gatewayUrl, options.apiKey, code);
        const session = store.createSession(launch);
        // The app lives in the LMS's frame, a third-party context: the cookie must be SameSite=None; Secure.
        reply.setCookie(SESSION_COOKIE, session.id, {
          signed: true, httpOnly: true, secure: true, sameSite: 'none', path: '/', maxAge: SESSION_TTL_MS / 1000,
        });
        return reply.redirect('/', 303);
      } catch (err) {
        request.log.warn({ err }, 'launch code refused');
        const status = err instanceof LaunchRedeemError && err.status < 500 ? 403 : 502;
        return html(reply, status, 'Launch not accepted', messagePage('Launch not accepted', 'This launch link has expired or was already used. Open the assistant again from your course.'));
      }
    }
    const session = requireSession(request, reply);
    if (!session) return reply;
    return html(reply, 200, 'Course assistant', chatPage({
      session,
      conversation: store.conversation(session.courseKey, session.launch.user.sub),
      instructions: store.instructions(session.courseKey),
      responderLabel: responder.label,
      canConfigure: session.launch.permissions.includes('configure'),
      saved: savedNoticeOf(request.query.saved),
    }));
  };
  app.get('/', landing);
  app.get('/lti', landing);

  const chat = async (session: Session, message: string): Promise<string> => {
    const { launch, courseKey } = session;
    const history = store.conversation(courseKey, launch.user.sub);
    const answer = await responder.reply({
      instructions: store.instructions(courseKey),
      history,
      message,
      userName: launch.user.given_name ?? launch.user.name ?? 'there',
      courseTitle: courseTitleOf(launch) ?? launch.resource_link.title ?? 'this link',
    });
    store.append(courseKey, launch.user.sub, { role: 'user', content: message });
    store.append(courseKey, launch.user.sub, { role: 'assistant', content: answer });
    return answer;
  };

  app.post<{ Body: Record<string, string> }>('/messages', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    if (!checkCsrf(session, request.body)) return html(reply, 403, 'Refused', messagePage('Refused', 'This form has expired; reload the page.'));
    const message = String(request.body?.message ?? '').trim().slice(0, 4000);
    if (message) await chat(session, message);
    return reply.redirect('./', 303);
  });

  app.post<{ Body: Record<string, string> }>('/instructions', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    if (!checkCsrf(session, request.body)) return html(reply, 403, 'Refused', messagePage('Refused', 'This form has expired; reload the page.'));
    if (!session.launch.permissions.includes('configure')) {
      return html(reply, 403, 'Not allowed', messagePage('Not allowed', NOT_CONFIGURE));
    }
    const text = String(request.body?.instructions ?? '').slice(0, 4000);
    store.setInstructions(session.courseKey, text, session.launch.user.sub);
    // Post/redirect/get, and the page says the save worked (the form alone would look unchanged).
    return reply.redirect(`./?saved=${text.trim() ? 'instructions' : 'instructions_cleared'}`, 303);
  });

  // JSON API for a richer front end; JSON bodies only, so a cross-site form cannot call it.
  app.get('/api/me', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { user, role_names, permissions, context } = session.launch;
    return { user, role_names, permissions, course: context, responder: responder.label };
  });
  app.get('/api/messages', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    return { messages: store.conversation(session.courseKey, session.launch.user.sub) };
  });
  const messageBody = { type: 'object', required: ['message'], properties: { message: { type: 'string', minLength: 1, maxLength: 4000 } } };
  app.post<{ Body: { message: string } }>('/api/messages', { schema: { body: messageBody } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    return { reply: await chat(session, request.body.message) };
  });
  app.get('/api/instructions', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    return { instructions: store.instructions(session.courseKey) };
  });
  const instructionsBody = { type: 'object', required: ['instructions'], properties: { instructions: { type: 'string', maxLength: 4000 } } };
  app.put<{ Body: { instructions: string } }>('/api/instructions', { schema: { body: instructionsBody } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    if (!session.launch.permissions.includes('configure')) {
      return reply.code(403).send({ error: 'forbidden', message: NOT_CONFIGURE });
    }
    store.setInstructions(session.courseKey, request.body.instructions, session.launch.user.sub);
    return { instructions: store.instructions(session.courseKey) };
  });

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    store,
    url: options.publicUrl ?? `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    async close() {
      await app.close();
      store.close();
    },
  };
}
