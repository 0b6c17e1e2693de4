import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GatewayCallError, GatewayServices, LaunchRedeemError, redeemLaunch } from './gatewayClient.ts';
import { classRoster, describeRefusal, gradingProblem, sendParticipationGrades } from './participation.ts';
import { chatPage, classPage, courseTitleOf, layout, messagePage, type SavedNotice } from './pages.ts';
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

/** The class view (roster and participation) is for those who may see reports or grade. */
const canSeeClass = (session: Session) => session.launch.permissions.some((p) => p === 'view_reports' || p === 'grade');
const NOT_CLASS = 'The class view needs the view_reports or grade permission, which your role does not have here.';
const NOT_GRADE = 'Sending grades needs the grade permission, which your role does not have here. The tool gateway’s admin decides which roles have it.';
const NO_ROSTER = 'Your course platform does not share the class list with this assistant (its administrator can turn on Names and Role Provisioning for the tool).';

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
      canSeeClass: canSeeClass(session),
      myMessages: store.messageCounts(session.courseKey).get(session.launch.user.sub) ?? 0,
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

  // The class: the roster from the course platform through the gateway, and participation grades.
  const services = new GatewayServices(options.apiKey);
  type ClassView = { status: number; body: Parameters<typeof classPage>[0] };
  const classView = async (session: Session, send: boolean): Promise<ClassView> => {
    const base = { session, roster: [], canGrade: session.launch.permissions.includes('grade'), gradingProblem: gradingProblem(session) };
    if (!session.launch.services?.nrps) return { status: 409, body: { ...base, problem: NO_ROSTER } };
    try {
      const outcomes = send ? await sendParticipationGrades(services, session, store) : undefined;
      return { status: 200, body: { ...base, roster: await classRoster(services, session, store), outcomes } };
    } catch (err) {
      if (!(err instanceof GatewayCallError)) throw err;
      return { status: 502, body: { ...base, problem: describeRefusal(err) } };
    }
  };
  const classAllowed = (session: Session, reply: FastifyReply, send: boolean, json: boolean): boolean => {
    const allowed = send ? session.launch.permissions.includes('grade') && canSeeClass(session) : canSeeClass(session);
    if (allowed) return true;
    if (json) reply.code(403).send({ error: 'forbidden', message: send ? NOT_GRADE : NOT_CLASS });
    else html(reply, 403, 'Not allowed', messagePage('Not allowed', send ? NOT_GRADE : NOT_CLASS));
    return false;
  };
  app.get('/class', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session || !classAllowed(session, reply, false, false)) return reply;
    const view = await classView(session, false);
    return html(reply, view.status, 'Class', classPage(view.body));
  });
  app.post<{ Body: Record<string, string> }>('/class/grades', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    if (!checkCsrf(session, request.body)) return html(reply, 403, 'Refused', messagePage('Refused', 'This form has expired; reload the page.'));
    if (!classAllowed(session, reply, true, false)) return reply;
    const problem = gradingProblem(session);
    if (problem) return html(reply, 409, 'Grades not sent', messagePage('Grades not sent', problem));
    const view = await classView(session, true);
    return html(reply, view.status, 'Class', classPage(view.body));
  });
  const classJson = (view: ClassView) => ({
    members: view.body.roster.map(({ member, messages }) => ({ ...member, messages })),
    ...(view.body.outcomes ? { grades: view.body.outcomes.map((o) => ({ user_id: o.member.user_id, score_given: o.score, sent: o.ok, problem: o.problem })) } : {}),
    ...(view.body.problem ? { error: view.status === 409 ? 'roster_not_offered' : 'lms_refused', message: view.body.problem } : {}),
  });
  app.get('/api/class', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session || !classAllowed(session, reply, false, true)) return reply;
    const view = await classView(session, false);
    return reply.code(view.status).send(classJson(view));
  });
  app.post('/api/class/grades', { schema: { body: { type: 'object' } } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session || !classAllowed(session, reply, true, true)) return reply;
    const problem = gradingProblem(session);
    if (problem) return reply.code(409).send({ error: 'grades_not_offered', message: problem });
    const view = await classView(session, true);
    return reply.code(view.status).send(classJson(view));
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
