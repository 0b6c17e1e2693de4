import { html, type SafeHtml } from '../../web/html.ts';
import type { platformView } from '../../platform/platforms.ts';
import type { DeliveryStatus, WebhookDelivery } from '../../platform/model/webhookDeliveries.ts';
import { postButton } from '../console/form.ts';
import { badge, plural, timeTag } from '../console/format.ts';

type PlatformView = ReturnType<typeof platformView>;

/** The platform page's line on its score webhook: the URL and how its deliveries stand. */
export function webhookFacts(p: PlatformView, counts: Record<DeliveryStatus, number>): SafeHtml {
  const total = counts.pending + counts.delivered + counts.failed;
  const link = html`<a href="/admin/platforms/${p.id}/webhook-deliveries">Webhook deliveries</a>`;
  const standing = total === 0
    ? html`none yet`
    : html`${plural(counts.delivered, 'delivered', 'delivered')}, ${plural(counts.pending, 'pending', 'pending')}, ${counts.failed > 0 ? html`<strong>${plural(counts.failed, 'failed', 'failed')}</strong>` : '0 failed'}`;
  return html`<dt>Score webhook</dt><dd>${p.score_webhook_url ? html`<code>${p.score_webhook_url}</code>` : 'none'}</dd>
<dt>Webhook deliveries</dt><dd>${standing} · ${link}</dd>`;
}

const STATUS_LABEL: Record<DeliveryStatus, string> = { pending: 'pending', delivered: 'delivered', failed: 'failed' };

/** The receiver's latest answer: its HTTP status, or why there was none. */
function lastAnswer(d: WebhookDelivery): SafeHtml | string {
  if (d.lastStatus !== null && d.status === 'delivered') return `HTTP ${d.lastStatus}`;
  return d.lastError ?? '—';
}

/** The recent deliveries of a platform's score webhook, failed ones marked, each not yet delivered with "Retry now". */
export function webhookDeliveriesBody(p: PlatformView, deliveries: WebhookDelivery[], options: { token: string; status?: DeliveryStatus }): SafeHtml {
  const filters = html`<p class="actions">${(['all', 'failed', 'pending', 'delivered'] as const).map((s) => {
    const current = (options.status ?? 'all') === s;
    const href = s === 'all' ? `/admin/platforms/${p.id}/webhook-deliveries` : `/admin/platforms/${p.id}/webhook-deliveries?status=${s}`;
    return html`<a class="button secondary" href="${href}"${current ? html` aria-current="page"` : ''}>${s === 'all' ? 'All' : STATUS_LABEL[s]}</a> `;
  })}</p>`;
  const rows = deliveries.map((d) => html`<tr${d.status === 'failed' ? html` class="failed"` : ''}>
<td>${timeTag(d.createdAt)}</td><td class="wrap"><code>${d.contextId}</code></td><td class="wrap"><code>${d.userId}</code></td>
<td class="wrap">${d.lineItemLabel} <code>${d.lineItemId}</code></td>
<td>${badge(d.status, d.status === 'failed' ? 'failed — gave up' : STATUS_LABEL[d.status])}</td><td>${d.attempts}</td>
<td class="wrap">${lastAnswer(d)}</td><td>${d.status === 'pending' ? timeTag(d.nextAttemptAt) : d.status === 'delivered' ? html`delivered ${timeTag(d.deliveredAt)}` : '—'}</td>
<td>${d.status === 'delivered' ? '' : postButton(`/admin/platforms/${p.id}/webhook-deliveries/${d.id}/retry`, options.token, 'Retry now')}</td></tr>`);
  const target = p.score_webhook_url
    ? html`Every score a tool sends is POSTed to <code>${p.score_webhook_url}</code>`
    : html`No score webhook URL is set (set one on <a href="/admin/platforms/${p.id}/edit">the platform's form</a>), so no score is sent anywhere; once one is set, every score a tool sends is POSTed there`;
  return html`<p>${target} as a JWT signed with this platform's keys; a delivery without a 2xx answer is retried after about 1 s, 10 s, 1 min, 10 min, then hourly, and fails 24 hours after the score came. The JWT's <code>jti</code> is the delivery id, the same on every retry.</p>
${filters}
${deliveries.length === 0 ? html`<p>No delivery${options.status ? html` with the status ${options.status}` : ''} yet.</p>` : html`<div class="table-wrap"><table>
<caption class="sr-only">Score webhook deliveries of ${p.name}</caption>
<thead><tr><th scope="col">When</th><th scope="col">Context</th><th scope="col">User</th><th scope="col">Line item</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${rows}</tbody></table></div>`}
<p><a href="/admin/platforms/${p.id}">Back to ${p.name}</a></p>`;
}
