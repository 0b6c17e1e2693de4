import type { FastifyInstance } from 'fastify';
import { html, type SafeHtml } from '../../web/html.ts';
import type { KeyInfo, KeyRing } from '../../keys/keyring.ts';
import { confirmBody } from './confirm.ts';
import type { Console } from './consoleScope.ts';
import { badge, timeTag } from './format.ts';
import { noticeOf } from './layout.ts';

const MEANING = {
  current: 'signs new tokens',
  next: 'published ahead, signs after the next rotation',
  previous: 'retired; still published so tokens it signed stay verifiable',
} as const;

/** The role's signing keys with their status, and the way to rotate them. */
/** `verifiers`: who checks this role's signatures — the tools (launcher) or the LMSs (gateway). */
export function keysBody(keys: KeyInfo[], jwksUrl: string, verifiers: string): SafeHtml {
  const rows = keys.map((k) => html`<tr>
<td class="wrap"><code>${k.kid}</code></td><td>${k.alg}</td>
<td>${badge(k.status)} <span class="muted">${MEANING[k.status]}</span></td>
<td>${timeTag(k.createdAt)}</td><td>${timeTag(k.activatedAt)}</td><td>${timeTag(k.retiredAt)}</td></tr>`);
  return html`<p>Published at <a href="${jwksUrl}"><code>${jwksUrl}</code></a>. Keys rotate on their own after the rotation period; rotate now after a suspected leak, or to test that ${verifiers} follow a rotation.</p>
<div class="table-wrap"><table>
<caption class="sr-only">Signing keys</caption>
<thead><tr><th scope="col">Key id (kid)</th><th scope="col">Algorithm</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Signing since</th><th scope="col">Retired</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<div class="actions"><a class="button" href="/admin/keys/rotate">Rotate keys…</a></div>`;
}

/** The keys page, the rotation confirmation and the rotation itself, for either role's key ring. */
export function keyPages(app: FastifyInstance, keys: KeyRing, ui: Console, jwksUrl: () => string, verifiers: string): void {
  app.get('/keys', async (request, reply) =>
    ui.send(reply, { title: 'Signing keys', current: 'keys', notice: noticeOf(request.query), body: keysBody(await keys.list(), jwksUrl(), verifiers) }));
  app.get('/keys/rotate', async (request, reply) =>
    ui.send(reply, {
      title: 'Rotate signing keys?',
      current: 'keys',
      body: confirmBody({
        message: 'The next key (already published) starts signing, the current key becomes the previous one and stays published, a new next key is created, and the key retired before is removed. Tools and platforms that cache the JWKS keep working.',
        action: '/admin/keys/rotate', button: 'Rotate keys', cancelHref: '/admin/keys', token: ui.token(request, reply), danger: false,
      }),
    }));
  app.post('/keys/rotate', async (request, reply) => {
    const rotated = await keys.rotate();
    request.log.info({ role: keys.role, current: rotated[0]?.kid }, 'signing keys rotated (console)');
    return reply.redirect('/admin/keys?notice=rotated', 303);
  });
}
