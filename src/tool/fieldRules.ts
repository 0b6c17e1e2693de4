/**
 * Field rules shared by the registration and app services: each returns an error sentence or
 * null, so a service can collect every problem of a form into one ValidationError.
 */
export type FieldErrors = Record<string, string>;

export function textRule(value: unknown, options: { required?: boolean; max?: number } = {}): string | null {
  if (value === undefined || value === null || value === '') return options.required ? 'is required' : null;
  if (typeof value !== 'string') return 'must be text';
  if (value.trim() !== value) return 'must not start or end with spaces';
  if (options.max && value.length > options.max) return `must be at most ${options.max} characters`;
  return null;
}

/**
 * An absolute http(s) URL without credentials or fragment. Plain http only for loopback hosts,
 * or everywhere when the operator allows insecure endpoints (local demos and tests).
 */
export function urlRule(value: unknown, options: { required?: boolean; allowHttp: boolean }): string | null {
  const text = textRule(value, { required: options.required, max: 2048 });
  if (text || value === undefined || value === null || value === '') return text;
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    return 'must be an absolute URL such as https://lms.example.edu/…';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.protocol === 'http:' && !options.allowHttp && !isLoopback(url.hostname)) return 'must use https';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.hash) return 'must not contain a #fragment';
  return null;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
}

export function only<T extends object>(input: T, names: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of Object.keys(input)) if (!names.includes(name)) errors[name] = 'is not a known field';
  return errors;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
