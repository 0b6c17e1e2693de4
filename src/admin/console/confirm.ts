import { html, type SafeHtml } from '../../web/html.ts';
import { postButton } from './form.ts';

/** A confirmation step for a destructive action: works without script, and Cancel is the easy way out. */
export function confirmBody(options: { message: SafeHtml | string; action: string; button: string; cancelHref: string; token: string; danger?: boolean }): SafeHtml {
  return html`<p>${options.message}</p>
<div class="actions">${postButton(options.action, options.token, options.button, { danger: options.danger ?? true })}
<a class="button secondary" href="${options.cancelHref}">Cancel</a></div>`;
}
