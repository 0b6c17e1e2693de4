/**
 * The LMS's own words in an error answer, from its token endpoint (RFC 6749 §5.2) or from one of
 * its services (AGS, NRPS), read one way for both: the gateway passes them on to the app beside
 * its own code (`lms_token_refused`, `lms_refused`), never as its own message.
 */

/** How much of the LMS's error or description is kept: enough to read, never a whole page. */
export const MAX_LMS_TEXT = 300;

export interface LmsErrorWords {
  error: string | null;
  errorDescription: string | null;
}

/**
 * OAuth-style `error` / `error_description` (JSON or form-encoded), or what LMSs write instead: a
 * `message` (many), Canvas's `errors: [{message}]` (or one object), `{error: {message}}`, Moodle's
 * `reason`. A short text answer is the description; an HTML page is nobody's words (left out: the
 * status says enough). Each value whitespace-folded and cut to MAX_LMS_TEXT characters.
 */
export function lmsErrorOf(answer: { contentType: string | null; body: string }): LmsErrorWords {
  const json = parseJson(answer.body);
  if (json !== undefined) return jsonErrorOf(json);
  const type = (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded' || /^error=/.test(answer.body)) {
    const form = new URLSearchParams(answer.body);
    return { error: cut(form.get('error')), errorDescription: cut(form.get('error_description')) };
  }
  const plain = answer.body.trim();
  return { error: null, errorDescription: plain.startsWith('<') ? null : cut(plain) };
}

function jsonErrorOf(json: unknown): LmsErrorWords {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { error: null, errorDescription: null };
  const body = json as Record<string, unknown>;
  const errors = Array.isArray(body.errors) ? body.errors[0] : body.errors;
  const canvas = errors && typeof errors === 'object' ? (errors as Record<string, unknown>).message : undefined;
  const nested = body.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>).message : undefined;
  const oauthError = text(body.error);
  const error = oauthError ?? text(nested) ?? text(canvas) ?? text(body.message) ?? text(body.reason);
  // With an OAuth-style `error`, a `message` or `reason` beside it is the description.
  const description = text(body.error_description) ?? (oauthError !== null ? text(body.message) ?? text(body.reason) : null);
  return { error, errorDescription: description };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? cut(value) : null);

/** Text of the LMS's, whitespace folded, cut to MAX_LMS_TEXT characters; empty is null. */
export function cut(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  const folded = value.replace(/\s+/g, ' ').trim();
  if (folded === '') return null;
  return folded.length > MAX_LMS_TEXT ? `${folded.slice(0, MAX_LMS_TEXT - 1)}…` : folded;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
