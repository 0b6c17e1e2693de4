/**
 * One key field instead of three: the admin pastes a PEM public key, a JWK, a JWK Set or a JWKS
 * URL, and the console says which it saw and hands it to the service under the right name.
 */
export type KeyKind = 'empty' | 'pem' | 'jwk' | 'jwks' | 'jwks_url' | 'unknown';

export const KEY_KIND_LABEL: Record<KeyKind, string> = {
  empty: 'Nothing entered yet.',
  pem: 'Detected: PEM public key.',
  jwk: 'Detected: a single JSON Web Key (JWK).',
  jwks: 'Detected: a JSON Web Key Set (JWKS).',
  jwks_url: 'Detected: a JWKS URL (keys are fetched from it, so their owner can rotate them).',
  unknown: 'Not recognised: paste a PEM public key, a JWK or JWK Set (JSON), or a JWKS URL.',
};

export function detectKey(text: string): KeyKind {
  const value = text.trim();
  if (value === '') return 'empty';
  if (value.startsWith('-----BEGIN')) return 'pem';
  if (value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { keys?: unknown };
      return Array.isArray(parsed.keys) ? 'jwks' : 'jwk';
    } catch {
      return 'unknown';
    }
  }
  if (/^https?:\/\/\S+$/i.test(value)) return 'jwks_url';
  return 'unknown';
}

/** The same detection in the browser, for the live note under the field (the server decides). */
export const KEY_DETECT_SCRIPT = `
  var KEY_LABELS = ${JSON.stringify(KEY_KIND_LABEL)};
  function detectKey(text) {
    var value = text.trim();
    if (value === '') return 'empty';
    if (value.indexOf('-----BEGIN') === 0) return 'pem';
    if (value.charAt(0) === '{') { try { var parsed = JSON.parse(value); return Array.isArray(parsed.keys) ? 'jwks' : 'jwk'; } catch (e) { return 'unknown'; } }
    if (/^https?:\\/\\/\\S+$/i.test(value)) return 'jwks_url';
    return 'unknown';
  }
  document.querySelectorAll('textarea[data-key-detect]').forEach(function (area) {
    var note = document.getElementById(area.getAttribute('data-key-detect'));
    if (!note) return;
    area.addEventListener('input', function () { note.textContent = KEY_LABELS[detectKey(area.value)]; });
  });
`;

/** Which of the service's three key fields a pasted key goes to. */
export interface KeyFieldNames {
  pem: string;
  jwk: string;
  url: string;
}

/**
 * The service body for a pasted key: exactly one of the three names gets the value, the others
 * null (so an edit that switches from a URL to a PEM clears the URL). `parseJwk` hands the JWK
 * over as an object for services that want one. Unrecognised text goes to the PEM field, where
 * the service refuses it; the page then shows `KEY_KIND_LABEL.unknown` instead.
 */
export function keyBody(text: string, names: KeyFieldNames, options: { parseJwk?: boolean } = {}): Record<string, unknown> {
  const kind = detectKey(text);
  const value = text.trim();
  const body: Record<string, unknown> = { [names.pem]: null, [names.jwk]: null, [names.url]: null };
  if (kind === 'empty') return body;
  if (kind === 'jwk' || kind === 'jwks') body[names.jwk] = options.parseJwk ? JSON.parse(value) : value;
  else if (kind === 'jwks_url') body[names.url] = value;
  else body[names.pem] = value;
  return body;
}

/** The text to put back into the key field for a stored key (whichever form it was given in). */
export function keyText(stored: { pem: string | null; jwk: unknown; url: string | null }): string {
  if (stored.url) return stored.url;
  if (stored.pem) return stored.pem;
  if (stored.jwk) return JSON.stringify(stored.jwk, null, 2);
  return '';
}

/** Moves the service's messages about the three key fields onto the one field of the form. */
export function keyErrors(errors: Record<string, string>, names: KeyFieldNames, field: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors)) {
    if (name === names.pem || name === names.jwk || name === names.url) {
      out[field] ??= detectKey(text) === 'unknown' ? KEY_KIND_LABEL.unknown : message;
    } else {
      out[name] = message;
    }
  }
  return out;
}
