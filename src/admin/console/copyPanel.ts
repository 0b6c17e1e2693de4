import { html, type SafeHtml } from '../../web/html.ts';

export interface CopyValue {
  label: string;
  value: string;
  /** What the value is for, shown under the label. */
  hint?: string;
}


/**
 * Values someone has to type into another system, each with a Copy button (shown by the script;
 * without it the text is plain and selectable). `id` names the panel so tests and links can find it.
 */
export function copyPanel(id: string, title: string, values: CopyValue[], intro?: SafeHtml | string): SafeHtml {
  const rows = values.map((v, i) => {
    const valueId = `${id}-v${i}`;
    return html`<div class="copy-row">
<div class="label" id="${valueId}-label">${v.label}${v.hint ? html`<div class="hint">${v.hint}</div>` : ''}</div>
<div class="value" id="${valueId}" aria-labelledby="${valueId}-label">${v.value}</div>
<button type="button" class="secondary" data-copy="${valueId}" aria-label="Copy ${v.label}" hidden>Copy</button>
</div>`;
  });
  return html`<section class="copy-panel" id="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">${title}</h2>${intro ? html`<p class="muted">${intro}</p>` : ''}
${rows}</section>`;
}
