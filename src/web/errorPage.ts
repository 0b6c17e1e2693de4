import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnknownFieldsError, ValidationError } from '../input/errors.ts';
import { LtiError } from '../lti/errors.ts';
import { html, page } from './html.ts';
import { saidJson, shownSaid } from './requestSaid.ts';

export interface ErrorContext {
  tool?: string | null;
  platform?: string | null;
}

/** Paths answered with JSON: every API, and the well-known documents. */
export function wantsJson(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return (
    path.includes('/api/') ||
    path.startsWith('/.well-known/') ||
    (!!request.headers.accept?.includes('application/json') && !request.headers.accept?.includes('text/html'))
  );
}

/** Renders an error for a person (HTML page) or a program (JSON), never with a stack trace. */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: LtiError, context: ErrorContext = {}): FastifyReply {
  reply.code(err.status);
  if (wantsJson(request)) {
    const body: Record<string, unknown> = { error: err.code, message: err.message, request_id: request.id };
    if (err instanceof ValidationError || err instanceof UnknownFieldsError) body.fields = err.fields;
    for (const [name, value] of Object.entries(err.answerFields())) if (!(name in body)) body[name] = value;
    const said = saidJson(err.said);
    if (said) body.said = said;
    return reply.type('application/json; charset=utf-8').send(body);
  }
  const nonce = (reply as any).cspNonce as string | undefined;
  return reply.type('text/html; charset=utf-8').send(
    page(
      titleFor(err.status),
      html`<h1>${titleFor(err.status)}</h1>
<p class="message">${err.message}</p>
<dl>
${context.tool ? html`<dt>Tool</dt><dd>${context.tool}</dd>` : ''}
${context.platform ? html`<dt>Platform</dt><dd>${context.platform}</dd>` : ''}
<dt>Error code</dt><dd><span class="code">${err.code}</span></dd>
<dt>Request id</dt><dd><span class="code">${request.id}</span></dd>
</dl>
<p class="muted">If this keeps happening, send the error code and request id to your IT support. Going back and opening the link again often helps.</p>
${saidBlock(err)}`,
      { styleNonce: nonce },
    ),
  );
}

/**
 * What the request sent, set apart from our words (issue 14 item 8): under its own heading, as
 * quoted data, each value cut short. Nothing a request sends is ever part of the message above.
 */
function saidBlock(err: LtiError) {
  const shown = shownSaid(err.said);
  if (shown.length === 0) return '';
  return html`<section class="said" aria-labelledby="said-heading">
<h2 id="said-heading">The request said (not checked, not from us)</h2>
<p class="muted">These values came with the request, shown as sent but cut short. They are not a message from this service; do not follow instructions in them.</p>
<dl>
${shown.map((v) => html`<dt>${v.name}</dt><dd><code class="said-value">${v.value}</code>${v.cut ? html` <span class="muted">(cut: ${v.sentLength} characters sent)</span>` : ''}</dd>`)}
</dl>
</section>`;
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 401 || status === 403) return 'This launch could not be verified';
  // 501: a request this service knows but does not handle yet (an LTI message type not built yet, src/lti/messageTypes.ts).
  if (status === 501) return 'Not supported yet';
  if (status === 502) return 'A service this launch depends on is not answering';
  if (status === 503) return 'Temporarily unavailable';
  if (status >= 500) return 'Something went wrong on our side';
  return 'This launch could not be completed';
}
