import { LtiError } from '../../../lti/errors.ts';
import { parseIsoDateTime } from '../../../lti/services/ags.ts';

/**
 * A field of an app's body or query the gateway refuses before any call to the LMS: 400
 * `app_field_invalid`, the field named in the message and in the answer's `field`. The value
 * itself is never repeated back.
 */
export class AppFieldError extends LtiError<'app_field_invalid'> {
  constructor(readonly field: string, problem: string) {
    super('app_field_invalid', 400, `${field} ${problem}.`);
  }

  override answerFields(): Record<string, unknown> {
    return { field: this.field };
  }
}

/** The longest text an app may send in a label, id or tag (the LMS's columns are shorter still). */
export const MAX_TEXT = 1024;
/** The longest comment on a score. */
export const MAX_COMMENT = 10_000;

/** The app's JSON body as an object of known fields only (`ignored` ones are accepted and dropped). */
export function bodyFields(body: unknown, known: readonly string[], ignored: readonly string[] = []): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppFieldError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!known.includes(name) && !ignored.includes(name)) throw new AppFieldError(name, `is not a field of this call (it takes ${known.join(', ')})`);
  }
  return fields;
}

/** The query's parameters, each given once, none unknown. */
export function queryFields(query: Record<string, unknown>, known: readonly string[]): Record<string, string | undefined> {
  const read: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!known.includes(name)) throw new AppFieldError(name, known.length > 0 ? `is not a parameter of this call (it takes ${known.join(', ')})` : 'is not a parameter of this call (it takes none)');
    if (typeof value !== 'string') throw new AppFieldError(name, 'must be given once');
    if (value === '' || value.length > MAX_TEXT) throw new AppFieldError(name, `must be a non-empty text of at most ${MAX_TEXT} characters`);
    read[name] = value;
  }
  return read;
}

export function requiredText(fields: Record<string, unknown>, name: string, max = MAX_TEXT): string {
  const value = fields[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new AppFieldError(name, `is required: a non-empty text of at most ${max} characters`);
  return value;
}

/** Absent or null: null. */
export function optionalText(fields: Record<string, unknown>, name: string, max = MAX_TEXT): string | null {
  if (fields[name] === undefined || fields[name] === null) return null;
  const value = fields[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new AppFieldError(name, `must be a non-empty text of at most ${max} characters, or null`);
  return value;
}

/** A finite number above `above` (exclusive) or at least `atLeast`; absent or null: null unless required. */
export function numberField(fields: Record<string, unknown>, name: string, rule: { above?: number; atLeast?: number; required?: boolean }): number | null {
  const value = fields[name];
  const bound = rule.above !== undefined ? `greater than ${rule.above}` : `at least ${rule.atLeast}`;
  if (value === undefined || value === null) {
    if (rule.required) throw new AppFieldError(name, `is required: a number ${bound}`);
    return null;
  }
  const ok = typeof value === 'number' && Number.isFinite(value) && (rule.above !== undefined ? value > rule.above : value >= (rule.atLeast ?? -Infinity));
  if (!ok) throw new AppFieldError(name, `must be a number ${bound}`);
  return value as number;
}

/** An ISO 8601 date-time with a time zone (`2026-12-04T18:00:00Z`); absent or null: null. */
export function optionalDateTime(fields: Record<string, unknown>, name: string): string | null {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 64 || parseIsoDateTime(value) === null) {
    throw new AppFieldError(name, 'must be an ISO 8601 date and time with a time zone, such as 2026-12-04T18:00:00Z, or null');
  }
  return value;
}

export function oneOf<T extends string>(fields: Record<string, unknown>, name: string, values: readonly T[]): T {
  const value = fields[name];
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw new AppFieldError(name, `is required: one of ${values.join(', ')}`);
  return value as T;
}
