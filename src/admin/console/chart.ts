import { html, type SafeHtml } from '../../web/html.ts';
import type { HourCounts } from '../../store/launchCounts.ts';

const WIDTH = 480;
const HEIGHT = 170;
const PLOT_TOP = 10;
const PLOT_BOTTOM = 145;
const LEFT = 30;
const OUTCOMES = ['success', 'failure', 'pending'] as const;
const LABEL = { success: 'successful', failure: 'failed', pending: 'unfinished' } as const;

/**
 * Launches per hour over the last 24 hours as stacked bars, drawn on the server (no script, no
 * chart library). The totals are also given as text, for screen readers and for a quick read.
 */
/** `testLaunches`: whether this role has test launches to leave out (the launcher's console starts them). */
export function launchChart(hours: HourCounts[], options: { testLaunches: boolean }): SafeHtml {
  const totals = { success: 0, failure: 0, pending: 0 };
  for (const h of hours) for (const o of OUTCOMES) totals[o] += h[o];
  const max = Math.max(1, ...hours.map((h) => h.success + h.failure + h.pending));
  const scale = (PLOT_BOTTOM - PLOT_TOP) / niceMax(max);
  const slot = (WIDTH - LEFT) / hours.length;
  const summary = `Last 24 hours: ${totals.success} ${LABEL.success}, ${totals.failure} ${LABEL.failure}, ${totals.pending} ${LABEL.pending} launches.`;

  const bars = hours.map((h, i) => {
    let y = PLOT_BOTTOM;
    const x = LEFT + i * slot + 2;
    const rects = OUTCOMES.filter((o) => h[o] > 0).map((o) => {
      const height = Math.max(1, h[o] * scale);
      y -= height;
      return html`<rect class="${o}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot - 4).toFixed(1)}" height="${height.toFixed(1)}"><title>${hourLabel(h.hour)}: ${h[o]} ${LABEL[o]}</title></rect>`;
    });
    const tick = i % 6 === 0 ? html`<text x="${x.toFixed(1)}" y="${PLOT_BOTTOM + 14}">${hourLabel(h.hour)}</text>` : '';
    return html`${rects}${tick}`;
  });

  return html`<figure>
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">Launches per hour, last 24 hours (UTC)</title>
<desc id="chart-desc">${summary}</desc>
<line class="axis" x1="${LEFT}" y1="${PLOT_BOTTOM}" x2="${WIDTH}" y2="${PLOT_BOTTOM}"/>
<line class="axis" x1="${LEFT}" y1="${PLOT_TOP}" x2="${LEFT}" y2="${PLOT_BOTTOM}"/>
<text x="0" y="${PLOT_TOP + 8}">${niceMax(max)}</text><text x="0" y="${PLOT_BOTTOM}">0</text>
${bars}
</svg>
<figcaption><ul class="legend">${OUTCOMES.map((o) => html`<li><span class="swatch ${o}" aria-hidden="true"></span>${totals[o]} ${LABEL[o]}</li>`)}</ul>
<span class="muted">Per hour, UTC.${options.testLaunches ? ' Test launches are not counted.' : ''}</span></figcaption>
</figure>`;
}

function hourLabel(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 13)}:00`;
}

/** A round top for the axis (1, 2, 5, 10, 20, 50…). */
function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}
