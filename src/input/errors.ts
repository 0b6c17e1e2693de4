import { LtiError } from '../lti/errors.ts';

/** A field-level validation error from a create/update service (admin API and pages). */
export class ValidationError extends LtiError<'validation_failed'> {
  constructor(readonly fields: Record<string, string>) {
    super('validation_failed', 422, Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** An admin create/update naming fields the resource does not have: a 400 listing them, before any field is judged. */
export class UnknownFieldsError extends LtiError<'unknown_fields'> {
  constructor(readonly fields: string[]) {
    const named = fields.slice(0, 10).map((f) => JSON.stringify(f.slice(0, 100))).join(', ') + (fields.length > 10 ? ` and ${fields.length - 10} more` : '');
    super('unknown_fields', 400, `Unknown field${fields.length > 1 ? 's' : ''}: ${named}. Check the spelling; fields that are only shown (ids, URLs the service derives) cannot be set.`);
    this.name = 'UnknownFieldsError';
  }
}
