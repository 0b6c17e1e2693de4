import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { html } from '../../web/html.ts';
import { LtiError } from '../../lti/errors.ts';
import { adminAuthFor } from '../auth.ts';
import { CsrfGuard } from './csrf.ts';
import { consolePage, type ConsoleShell, type PageContent } from './layout.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the page handlers of a console use: rendering and the form token. */
export interface Console {
  send(reply: FastifyReply, content: PageContent & { status?: number }): FastifyReply;
  /** The CSRF form token of this browser (starts its console session when needed). */
  token(request: FastifyRequest, reply: FastifyReply): string;
}

/**
 * Sets up an encapsulated scope for console pages: Basic auth, then the CSRF check on every
 * state-changing request, no caching, and errors rendered as console pages.
 */
export function setupConsole(app: FastifyInstance, config: Config, shell: ConsoleShell): Console {
  const auth = adminAuthFor(config);
  const csrf = new CsrfGuard(config);
  app.addHook('preHandler', auth.check);
  app.addHook('preHandler', async (request) => {
    if (!SAFE_METHODS.has(request.method)) csrf.check(request);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    // The console's own form posts carry their Origin (checked above); other sites still get none.
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });

  const send: Console['send'] = (reply, content) =>
    reply.code(content.status ?? 200).type('text/html; charset=utf-8').send(consolePage(shell, content));

  app.setErrorHandler((err, request, reply) => {
    // Anything not ours (body too large, database down…) goes to the server's error handler.
    if (!(err instanceof LtiError)) throw err;
    if (err.status >= 500) request.log.error({ err }, 'admin console error');
    if (err.code === 'admin_disabled') {
      // Every console page answers this: a link to any of them would lead back here.
      return send(reply, {
        status: err.status,
        title: 'Admin console disabled',
        current: '',
        navigation: false,
        body: html`<p>${err.message}</p>
<dl class="facts"><dt>Error code</dt><dd><code>${err.code}</code></dd></dl>`,
      });
    }
    return send(reply, {
      status: err.status,
      title: titleOf(err),
      current: '',
      body: html`<p>${err.message}</p>
<dl class="facts"><dt>Error code</dt><dd><code>${err.code}</code></dd><dt>Request id</dt><dd><code>${request.id}</code></dd></dl>
<p><a href="/admin">Back to the dashboard</a></p>`,
    });
  });

  return { send, token: (request, reply) => csrf.token(request, reply) };
}

function titleOf(err: LtiError): string {
  if (err.status === 401) return 'Sign-in required';
  if (err.code.startsWith('csrf_')) return 'Change refused';
  if (err.status === 403) return 'Not allowed';
  if (err.status === 404) return 'Not found';
  if (err.status === 429) return 'Too many attempts';
  return 'Something went wrong';
}
