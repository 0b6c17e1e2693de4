import { html, type SafeHtml } from '../../web/html.ts';
import { ValidationError } from '../../input/errors.ts';
import { CSRF_FIELD } from './csrf.ts';

/** What a form shows: the values as typed (or stored) and the error of each field. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

interface FieldOptions {
  label: string;
  hint?: string | SafeHtml;
  required?: boolean;
  type?: 'text' | 'url' | 'email' | 'password';
  autocomplete?: string;
  /** Extra content under the hint (the key field's detection note). */
  after?: SafeHtml;
}

const idOf = (name: string) => `f-${name}`;

/** The hint and error of a field, linked to it with aria-describedby; the error is announced with the field. */
function described(name: string, options: FieldOptions, error: string | undefined) {
  const ids = [options.hint ? `${idOf(name)}-hint` : '', error ? `${idOf(name)}-error` : ''].filter(Boolean).join(' ');
  return {
    ids,
    parts: html`${options.hint ? html`<p class="hint" id="${idOf(name)}-hint">${options.hint}</p>` : ''}${options.after ?? ''}${
      error ? html`<p class="error" id="${idOf(name)}-error">${sentence(labelText(options.label), error)}</p>` : ''}`,
  };
}

function labelText(label: string): string {
  return label.replace(/\s*\(.*\)$/, '');
}

/** "Name is required", but "Public key: give the tool's public key…" for messages that stand alone. */
export function sentence(label: string, message: string): string {
  return /^(is|must|has|was|does|contains|are|should)\b/.test(message) ? `${label} ${message}` : `${label}: ${message}`;
}

export function textField(form: FormState, name: string, options: FieldOptions): SafeHtml {
  const error = form.errors[name];
  const { ids, parts } = described(name, options, error);
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${idOf(name)}">${options.label}${options.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
<input type="${options.type ?? 'text'}" id="${idOf(name)}" name="${name}" value="${form.values[name] ?? ''}"${
    options.required ? html` required aria-required="true"` : ''}${error ? html` aria-invalid="true"` : ''}${
    ids ? html` aria-describedby="${ids}"` : ''} autocomplete="${options.autocomplete ?? 'off'}" spellcheck="false">
${parts}</div>`;
}

export function textArea(form: FormState, name: string, options: FieldOptions & { rows?: number; detect?: boolean }): SafeHtml {
  const error = form.errors[name];
  const { ids, parts } = described(name, options, error);
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${idOf(name)}">${options.label}${options.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
<textarea id="${idOf(name)}" name="${name}" rows="${options.rows ?? 4}"${options.required ? html` required aria-required="true"` : ''}${
    error ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}${
    options.detect ? html` data-key-detect="${idOf(name)}-detected"` : ''} spellcheck="false">${form.values[name] ?? ''}</textarea>
${parts}</div>`;
}

export function selectField(form: FormState, name: string, options: FieldOptions & { choices: Array<{ value: string; label: string; group?: string }> }): SafeHtml {
  const error = form.errors[name];
  const { ids, parts } = described(name, options, error);
  const current = form.values[name] ?? '';
  const groups = new Map<string, Array<{ value: string; label: string }>>();
  for (const c of options.choices) {
    const list = groups.get(c.group ?? '') ?? [];
    list.push(c);
    groups.set(c.group ?? '', list);
  }
  const optionsHtml = [...groups].map(([group, list]) => {
    const items = list.map((c) => html`<option value="${c.value}"${c.value === current ? html` selected` : ''}>${c.label}</option>`);
    return group ? html`<optgroup label="${group}">${items}</optgroup>` : items;
  });
  return html`<div class="field${error ? ' invalid' : ''}">
<label for="${idOf(name)}">${options.label}</label>
<select id="${idOf(name)}" name="${name}"${error ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}>${optionsHtml}</select>
${parts}</div>`;
}

export function checkbox(form: FormState, name: string, label: string, hint?: string): SafeHtml {
  const hintId = `${idOf(name)}-hint`;
  return html`<div class="field"><label class="check"><input type="checkbox" name="${name}" value="on"${
    form.values[name] === 'on' ? html` checked` : ''}${hint ? html` aria-describedby="${hintId}"` : ''}> ${label}</label>${
    hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : ''}${
    form.errors[name] ? html`<p class="error">${form.errors[name]}</p>` : ''}</div>`;
}

/** The list of every error at the top of a form, each a link to its field (WCAG 3.3.1). */
export function errorSummary(form: FormState, labels: Record<string, string>): SafeHtml {
  const entries = Object.entries(form.errors);
  if (entries.length === 0) return html``;
  return html`<div class="alert" role="alert" tabindex="-1" id="error-summary">
<h2>${entries.length === 1 ? 'One thing to fix' : `${entries.length} things to fix`}</h2>
<ul>${entries.map(([name, message]) =>
    labels[name] ? html`<li><a href="#${idOf(name)}">${sentence(labels[name], message)}</a></li>` : html`<li>${sentence(name, message)}</li>`)}</ul></div>`;
}

export function csrfInput(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** A one-button form (POST with the CSRF token), for actions such as delete or rotate. */
export function postButton(action: string, token: string, label: string, options: { danger?: boolean; fields?: Record<string, string> } = {}): SafeHtml {
  return html`<form method="post" action="${action}">${csrfInput(token)}${Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit"${options.danger ? html` class="danger"` : ''}>${label}</button></form>`;
}

/** A form body field as text ('' when absent; the first value when repeated). */
export function bodyText(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : '';
  return typeof value === 'string' ? value : '';
}

/** Every text field of a posted form, as typed, for showing the form again. */
export function bodyValues(body: unknown, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, bodyText(body, n)]));
}

/** One entry per non-empty line (redirect URIs, deployment ids). */
export function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

/** Runs a service's save; its ValidationError becomes the form's field errors (renamed by `mapErrors`). */
export async function saveOrErrors<T>(run: () => Promise<T>, mapErrors: (e: Record<string, string>) => Record<string, string> = (e) => e) {
  try {
    return { saved: await run(), errors: null };
  } catch (err) {
    if (err instanceof ValidationError) return { saved: null, errors: mapErrors(err.fields) };
    throw err;
  }
}
