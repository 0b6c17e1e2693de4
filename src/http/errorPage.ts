import type { FastifyReply, FastifyRequest } from 'fastify';
import { LtiError, UnknownFieldsError, ValidationError } from '../lti/errors.ts';
import { html, page } from './html.ts';

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
    return reply.type('application/json; charset=utf-8').send(body);
  }
  const nonce = (reply as any).cspNonce as string | undefined;
  return reply.type('text/html; charset=utf-8').send(
    page(
      titleFor(err.status),
      html`<h1>${titleFor(err.status)}</h1>
<p>${err.message}</p>
<dl>
${context.tool ? html`<dt>Tool</dt><dd>${context.tool}</dd>` : ''}
${context.platform ? html`<dt>Platform</dt><dd>${context.platform}</dd>` : ''}
<dt>Error code</dt><dd><span class="code">${err.code}</span></dd>
<dt>Request id</dt><dd><span class="code">${request.id}</span></dd>
</dl>
<p class="muted">If this keeps happening, send the error code and request id to your IT support. Going back and opening the link again often helps.</p>`,
      { styleNonce: nonce },
    ),
  );
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 401 || status === 403) return 'This launch could not be verified';
  if (status === 502) return 'A service this launch depends on is not answering';
  if (status === 503) return 'Temporarily unavailable';
  if (status >= 500) return 'Something went wrong on our side';
  return 'This launch could not be completed';
}
