import { html, type SafeHtml } from '../../web/html.ts';

/** A time as operators read logs: UTC, to the second. */
export function when(ms: number | null | undefined): string {
  // Not a time (a row without one, or a bad value): a dash, never a thrown RangeError on the page.
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** <time> with the machine-readable value and the readable one. */
export function timeTag(ms: number | null | undefined): SafeHtml {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return html`—`;
  return html`<time datetime="${new Date(ms).toISOString()}">${when(ms)}</time>`;
}

/** A status word in a coloured outline; the word itself carries the meaning (not only the colour). */
export function badge(value: string, label = value): SafeHtml {
  return html`<span class="badge ${value}">${label}</span>`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
