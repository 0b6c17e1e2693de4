import { html, type SafeHtml } from '../../http/html.ts';
import type { Services } from '../../http/services.ts';
import { listPlatforms } from '../../platform/platforms.ts';
import { launchChart } from '../console/chart.ts';
import { launchesByHour } from '../console/launchCounts.ts';
import { latestFailures, type LaunchLogTerms } from '../console/launchLogPages.ts';
import { plural } from '../console/format.ts';

/** The launcher at a glance: launches of the last day, the latest failures, and what is set up. */
export async function platformDashboard(services: Services, terms: LaunchLogTerms): Promise<SafeHtml> {
  const [hours, failures, platforms, keys] = await Promise.all([
    launchesByHour(services.db, 'platform'),
    services.launchLog.list({ role: 'platform', outcome: 'failure', limit: 8 }),
    listPlatforms(services),
    services.keys.list(),
  ]);
  const current = keys.find((k) => k.status === 'current');
  return html`<section aria-labelledby="chart-heading"><h2 id="chart-heading">Launches, last 24 hours</h2>${launchChart(hours)}</section>
<section aria-labelledby="failures-heading"><h2 id="failures-heading">Latest failures</h2>${latestFailures(failures, terms)}</section>
<section aria-labelledby="setup-heading"><h2 id="setup-heading">Set up</h2>
<ul><li><a href="/admin/platforms">${plural(platforms.length, 'platform')}</a></li>
<li><a href="/admin/tools">${plural(terms.tools.length, 'tool')}</a></li>
<li><a href="/admin/keys">Signing key</a>: ${current ? html`<code>${current.kid}</code>` : 'none yet'}</li>
<li><a href="/admin/test-launch">Test launch a tool</a></li></ul></section>`;
}
