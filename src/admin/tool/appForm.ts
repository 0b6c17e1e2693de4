import { html, type SafeHtml } from '../../web/html.ts';
import type { App } from '../../tool/model/apps.ts';
import { DEFAULT_PERMISSIONS } from '../../tool/permissions.ts';
import { csrfInput, errorSummary, selectField, textArea, textField, type FormState } from '../console/form.ts';

export const APP_FIELDS = ['name', 'slug', 'app_url', 'handoff', 'permissions'] as const;

const LABELS: Record<string, string> = { name: 'Name', slug: 'Slug', app_url: 'App URL', handoff: 'Hand-off', permissions: 'Permissions' };

export const NEW_APP_VALUES = { handoff: 'code', permissions: JSON.stringify(DEFAULT_PERMISSIONS, null, 2) };

export function appValues(a: App): Record<string, string> {
  return { name: a.name, slug: a.slug, app_url: a.appUrl, handoff: a.handoff, permissions: JSON.stringify(a.permissions, null, 2) };
}

/** The body for the app service; text that is not JSON goes through as text, for the service to refuse with its own message. */
export function appBody(values: Record<string, string>): Record<string, unknown> {
  let permissions: unknown = values.permissions;
  try {
    permissions = JSON.parse(values.permissions);
  } catch {
    // left as typed
  }
  return { name: values.name.trim(), slug: values.slug.trim(), app_url: values.app_url.trim(), handoff: values.handoff, permissions };
}

export function appForm(form: FormState, options: { action: string; editing: boolean; token: string; cancelHref: string }): SafeHtml {
  return html`${errorSummary(form, LABELS)}
<form method="post" action="${options.action}" novalidate>
${csrfInput(options.token)}
${textField(form, 'name', { label: 'Name', required: true })}
${textField(form, 'slug', { label: 'Slug', required: true, hint: 'Lower-case letters, digits and dashes; part of the app\'s launch URL.' })}
${textField(form, 'app_url', { label: 'App URL', type: 'url', required: true, hint: 'Where users land after a launch, with the hand-off.' })}
${selectField(form, 'handoff', { label: 'Hand-off', choices: [
    { value: 'code', label: 'One-time code the app redeems with its API key (recommended)' },
    { value: 'jwt', label: 'Signed launch JWT posted to the app' },
  ] })}
${textArea(form, 'permissions', { label: 'Permissions (JSON)', rows: 8, hint: 'Course role → what the app lets it do; * for everyone else.' })}
<div class="actions"><button type="submit">${options.editing ? 'Save changes' : 'Create app'}</button>
<a class="button secondary" href="${options.cancelHref}">Cancel</a></div>
</form>`;
}
