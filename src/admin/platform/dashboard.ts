import { html, type SafeHtml } from '../../web/html.ts';
import type { Launcher } from '../../platform/launcher.ts';
import { launchChart } from '../console/chart.ts';
import { launchesByHour } from '../../store/launchCounts.ts';
import { WARNINGS, latestFailures, type LaunchLogTerms } from '../console/launchLogPages.ts';
import { plural } from '../console/format.ts';

/** The launcher at a glance: launches of the last day, the latest failures, and what is set up. */
export async function platformDashboard(launcher: Launcher, terms: LaunchLogTerms): Promise<SafeHtml> {
  const { services } = launcher;
  const [hours, failures, warned, platforms, keys] = await Promise.all([
    launchesByHour(services.db, 'platform'),
    services.launchLog.list({ role: 'platform', outcome: 'failure', limit: 8 }),
    services.launchLog.list({ role: 'platform', warned: true, since: Date.now() - 86_400_000, limit: 8 }),
    launcher.platforms.list(),
    services.keys.list(),
  ]);
  const current = keys.find((k) => k.status === 'current');
  return html`<section aria-labelledby="chart-heading"><h2 id="chart-heading">Launches, last 24 hours</h2>${launchChart(hours, { testLaunches: true })}</section>
<section aria-labelledby="failures-heading"><h2 id="failures-heading">Latest failures</h2>${latestFailures(failures, terms)}</section>
${warned.length > 0 ? html`<section aria-labelledby="warnings-heading" class="alert"><h2 id="warnings-heading">Launches with a warning, last 24 hours</h2>
<p>These launches went through, but need a look:</p>
<ul>${warned.map((e) => html`<li><a href="/admin/launches/${e.id}">${new Date(e.createdAt).toISOString().slice(11, 16)} UTC</a> · ${WARNINGS[e.warning!]?.label ?? e.warning}${e.userSub ? html` · <code>${e.userSub}</code>` : ''}</li>`)}</ul>
<p><a href="/admin/launches?outcome=warning">All launches with a warning</a></p></section>` : ''}
<section aria-labelledby="setup-heading"><h2 id="setup-heading">Set up</h2>
<ul><li><a href="/admin/platforms">${plural(platforms.length, 'platform')}</a></li>
<li><a href="/admin/tools">${plural(terms.tools.length, 'tool')}</a></li>
<li><a href="/admin/keys">Signing key</a>: ${current ? html`<code>${current.kid}</code>` : 'none yet'}</li>
<li><a href="/admin/test-launch">Test launch a tool</a></li></ul></section>`;
}
