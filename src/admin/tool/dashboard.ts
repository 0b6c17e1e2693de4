import { html, type SafeHtml } from '../../web/html.ts';
import type { Gateway } from '../../tool/gateway.ts';
import { launchChart } from '../console/chart.ts';
import { plural } from '../console/format.ts';
import { launchesByHour } from '../../store/launchCounts.ts';
import { latestFailures, type LaunchLogTerms } from '../console/launchLogPages.ts';

export async function gatewayDashboard(gateway: Gateway, terms: LaunchLogTerms): Promise<SafeHtml> {
  const { services } = gateway;
  const [hours, failures, keys] = await Promise.all([
    launchesByHour(services.db, 'tool'),
    services.launchLog.list({ role: 'tool', outcome: 'failure', limit: 8 }),
    services.keys.list(),
  ]);
  const current = keys.find((k) => k.status === 'current');
  return html`<section aria-labelledby="chart-heading"><h2 id="chart-heading">Launches, last 24 hours</h2>${launchChart(hours, { testLaunches: false })}</section>
<section aria-labelledby="failures-heading"><h2 id="failures-heading">Latest failures</h2>${latestFailures(failures, terms)}</section>
<section aria-labelledby="setup-heading"><h2 id="setup-heading">Set up</h2>
<ul><li><a href="/admin/registrations">${plural(terms.platforms.length, 'LMS registration')}</a></li>
<li><a href="/admin/apps">${plural(terms.tools.length, 'app')}</a></li>
<li><a href="/admin/keys">Signing key</a>: ${current ? html`<code>${current.kid}</code>` : 'none yet'}</li></ul></section>`;
}
