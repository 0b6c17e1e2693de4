import type { FastifyReply } from 'fastify';
import { html, page } from './html.ts';

export interface AutoPostForm {
  /** Where the browser posts the fields. */
  action: string;
  fields: Record<string, string | null | undefined>;
  /** The page's title and heading, e.g. "Opening Course Chat…". */
  heading: string;
  /** The button a browser without JavaScript shows, e.g. "Continue to Course Chat". */
  button: string;
}

/**
 * A page that posts its fields to another site at once: a script with the response's CSP nonce
 * submits it (the CSP allows no other inline script), and a button does it in a browser without
 * JavaScript. Used for the id_token form post (/auth) and for login initiation by POST.
 * The target's own redirects are not ours to know, so form-action is left open for this page.
 */
export function sendAutoPostForm(reply: FastifyReply, form: AutoPostForm): FastifyReply {
  reply.formAction = ['*'];
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
  const inputs = Object.entries(form.fields)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const body = html`<h1>${form.heading}</h1>
<form method="post" action="${form.action}" id="lti-launch">${inputs}
<noscript><p>JavaScript is off in this browser. Press the button to continue.</p></noscript>
<button type="submit">${form.button}</button>
</form>
<script nonce="${reply.cspNonce}">document.getElementById('lti-launch').submit();</script>`;
  return reply.type('text/html; charset=utf-8').send(page(form.heading, body, { styleNonce: reply.cspNonce }));
}
