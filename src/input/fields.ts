import { plainHttpRefusal } from '../net/urlPolicy.ts';
import { UnknownFieldsError, ValidationError } from './errors.ts';
import { isUniqueViolation } from '../store/db.ts';

/**
 * Admin input for the create/update services of both roles (platforms and tools on the launcher,
 * LMS registrations and apps on the gateway). Each reader returns the cleaned value or records a
 * message under the field's name; `throwIfInvalid` then throws one ValidationError (422) with every
 * message, so the API and the console show all problems of a form at once.
 */
export type FieldErrors = Record<string, string>;

/**
 * How a role's forms read text and URLs. The two roles were written apart and word a few refusals
 * differently; API clients and tests rely on each wording, so each role keeps its own.
 */
export interface FieldRules {
  /** Spaces around text: removed (launcher) or refused (gateway). */
  spaces: 'trim' | 'refuse';
  notText: string;
  /** The longest text a field without its own `max` takes; undefined = no limit. */
  maxText: number | undefined;
  maxUrl: number;
  notAbsoluteUrl: (value: string) => string;
  credentialsInUrl: string;
  /** ALLOW_INSECURE_IDP: plain http to any host, not only loopback (see plainHttpRefusal). */
  allowInsecureHttp: boolean;
}

/**
 * Plain http is refused but on loopback hosts (a tool reached over http would receive its
 * id_tokens in the clear); `allowInsecure` (ALLOW_INSECURE_IDP) permits it everywhere.
 */
export function launcherRules(allowInsecure: boolean): FieldRules {
  return {
    spaces: 'trim',
    notText: 'must be a string',
    maxText: 2000,
    maxUrl: 2000,
    notAbsoluteUrl: (value) => `must be an absolute URL, got "${value}"`,
    credentialsInUrl: 'must not contain credentials',
    allowInsecureHttp: allowInsecure,
  };
}

/** The same plain-http rule as the launcher's: loopback only, unless `allowInsecure` (ALLOW_INSECURE_IDP). */
export function gatewayRules(allowInsecure: boolean): FieldRules {
  return {
    spaces: 'refuse',
    notText: 'must be text',
    maxText: undefined,
    maxUrl: 2048,
    notAbsoluteUrl: () => 'must be an absolute URL such as https://lms.example.edu/…',
    credentialsInUrl: 'must not contain a user name or password',
    allowInsecureHttp: allowInsecure,
  };
}

export class Fields {
  readonly errors: FieldErrors = {};
  /**
   * The names the input gave, and the names the save asked about (read, or declared by `merge`):
   * the known fields are those a save reads, so a field added to a save is known with no list to keep.
   */
  private readonly asked = new Set<string>();

  constructor(
    private readonly values: Record<string, unknown>,
    private readonly rules: FieldRules,
    private readonly given: readonly string[] = Object.keys(values),
  ) {}

  /**
   * The gateway's create or partial update: each field the input names (even as null) replaces its
   * value in `current` (the stored values, or the defaults on create). Every field is then checked,
   * given or not; a field that is not a key of `current` is refused (throwIfInvalid).
   */
  static merge(input: unknown, current: Record<string, unknown>, rules: FieldRules): Fields {
    if (!isObject(input)) throw new ValidationError({ body: 'must be a JSON object' });
    const names = Object.keys(current);
    const merged = Object.fromEntries(names.map((name) => [name, name in input ? input[name] : current[name]]));
    const fields = new Fields(merged, rules, Object.keys(input));
    for (const name of names) fields.asked.add(name);
    return fields;
  }

  has(name: string): boolean {
    return this.read(name) !== undefined;
  }

  value(name: string): unknown {
    return this.read(name);
  }

  /** A field's value, noting that the save knows the field. */
  private read(name: string): unknown {
    this.asked.add(name);
    return Object.hasOwn(this.values, name) ? this.values[name] : undefined;
  }

  /** Records a message; a field keeps its first one. */
  fail(name: string, message: string): void {
    // hasOwn, not ??=: an unknown field may be called "constructor" or "toString".
    if (!Object.hasOwn(this.errors, name)) this.errors[name] = message;
  }

  /** Runs a rule of the caller's own (an error sentence or null) on a field; returns the value as given. */
  rule(name: string, check: (value: unknown) => string | null): unknown {
    const value = this.read(name);
    const message = check(value);
    if (message) this.fail(name, message);
    return value;
  }

  /**
   * Throws the input's faults: first any field the save never asked about (a 400: a misspelt or
   * read-only field would otherwise be dropped without a word), then the field messages (a 422).
   */
  throwIfInvalid(): void {
    const unknown = this.given.filter((name) => !this.asked.has(name));
    if (unknown.length > 0) throw new UnknownFieldsError(unknown);
    if (Object.keys(this.errors).length > 0) throw new ValidationError(this.errors);
  }

  text(name: string, options: { required?: boolean; max?: number; pattern?: RegExp; patternHint?: string } = {}): string | null {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') {
      if (options.required) this.fail(name, 'is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.fail(name, this.rules.notText);
      return null;
    }
    const trimmed = value.trim();
    if (trimmed === '' && this.rules.spaces !== 'refuse') {
      // Only spaces is no value: a required field must not be saved empty.
      if (options.required) this.fail(name, 'is required');
      return null;
    }
    const max = options.max ?? this.rules.maxText;
    if (this.rules.spaces === 'refuse' && trimmed !== value) this.fail(name, 'must not start or end with spaces');
    else if (max !== undefined && trimmed.length > max) this.fail(name, `must be at most ${max} characters`);
    else if (options.pattern && !options.pattern.test(trimmed)) this.fail(name, options.patternHint ?? 'has an invalid format');
    return trimmed;
  }

  /** An absolute http(s) URL without credentials or #fragment; plain http as the role's rules allow. */
  url(name: string, options: { required?: boolean } = {}): string | null {
    const value = this.text(name, { required: options.required, max: this.rules.maxUrl });
    if (value === null) return null;
    return this.checkUrl(name, value);
  }

  urlList(name: string): string[] {
    const value = this.read(name);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.fail(name, 'must be a list of URLs');
      return [];
    }
    return value.map((v) => this.checkUrl(name, v.trim())).filter((v): v is string => v !== null);
  }

  /** One of a fixed set of words (a select box or a JSON string); `fallback` when not given. */
  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
    this.fail(name, `must be one of ${options.map((o) => `"${o}"`).join(', ')}`);
    return fallback;
  }

  /**
   * Any of a fixed set of words, each at most once, kept in the set's order: a JSON array of
   * strings (the console sends one checkbox per word). `fallback` when not given; [] is a value.
   */
  choiceList<T extends string>(name: string, options: readonly T[], fallback: readonly T[]): T[] {
    const value = this.read(name);
    if (value === undefined || value === null) return [...fallback];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.fail(name, `must be a list of any of ${options.map((o) => `"${o}"`).join(', ')}`);
      return [...fallback];
    }
    const unknown = value.filter((v) => !(options as readonly string[]).includes(v));
    if (unknown.length > 0) {
      this.fail(name, `may only hold ${options.map((o) => `"${o}"`).join(', ')}`);
      return [...fallback];
    }
    return options.filter((o) => value.includes(o));
  }

  /** A checkbox or a JSON boolean. */
  bool(name: string, fallback: boolean): boolean {
    const value = this.read(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'on' || value === '1') return true;
    if (value === 'false' || value === 'off' || value === '0') return false;
    this.fail(name, 'must be true or false');
    return fallback;
  }

  /** An object of strings, given as an object or as JSON text (a console text area). */
  stringMap(name: string): Record<string, string> {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return {};
    const parsed = typeof value === 'string' ? parseJson(value) : value;
    if (!isObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
      this.fail(name, 'must be an object whose values are strings, e.g. {"course_level": "advanced"}');
      return {};
    }
    return parsed as Record<string, string>;
  }

  /**
   * A list of names (keys, identifiers): a JSON array of strings, or text with one name per line or
   * separated by commas (a console text area). Names are trimmed, empty ones dropped, repeats kept once.
   */
  nameList(name: string, options: { max: number; maxLength: number }): string[] {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return [];
    const items = typeof value === 'string' ? value.split(/[\n,]/) : value;
    if (!Array.isArray(items) || !items.every((v) => typeof v === 'string')) {
      this.fail(name, 'must be a list of names, e.g. ["course_level"]');
      return [];
    }
    const names = [...new Set(items.map((v) => v.trim()).filter((v) => v !== ''))];
    if (names.length > options.max) this.fail(name, `must have at most ${options.max} names`);
    else if (names.some((v) => v.length > options.maxLength || /[\u0000-\u001f\u007f]/.test(v))) {
      this.fail(name, `each name must be at most ${options.maxLength} characters, without control characters`);
    }
    return names;
  }

  /** Any JSON value, given as such or as JSON text (a console text area). */
  json(name: string): unknown {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') return value;
    const parsed = parseJson(value);
    if (parsed === undefined) this.fail(name, 'must be valid JSON');
    return parsed ?? null;
  }

  /**
   * A list of web origins (`https://lms.example.edu`, `https://*.example.edu` for every subdomain):
   * scheme and host (and port) only, each checked by the plain-http rule of URLs. Given as a JSON
   * array or as text with one origin per line (a console text area).
   */
  originList(name: string, options: { max: number }): string[] {
    const value = this.read(name);
    if (value === undefined || value === null || value === '') return [];
    const items = typeof value === 'string' ? value.split('\n') : value;
    if (!Array.isArray(items) || !items.every((v) => typeof v === 'string')) {
      this.fail(name, 'must be a list of origins such as https://school.instructure.com');
      return [];
    }
    const origins: string[] = [];
    for (const item of items.map((v) => v.trim()).filter((v) => v !== '')) {
      const wildcard = /^(https?):\/\/\*\.(.+)$/i.exec(item);
      const url = this.checkUrl(name, wildcard ? `${wildcard[1]}://${wildcard[2]}` : item);
      if (url === null) return [];
      const parsed = new URL(url);
      if (url.replace(/\/$/, '') !== parsed.origin || (wildcard && parsed.hostname.split('.').length < 2)) {
        this.fail(name, `must be origins only (scheme and host, such as https://school.instructure.com or https://*.instructure.com), got "${item.slice(0, 200)}"`);
        return [];
      }
      origins.push(wildcard ? `${parsed.protocol}//*.${parsed.host}` : parsed.origin);
    }
    if (origins.length > options.max) this.fail(name, `must have at most ${options.max} origins`);
    return [...new Set(origins)];
  }

  private checkUrl(name: string, value: string): string | null {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.fail(name, this.rules.notAbsoluteUrl(value));
      return null;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      this.fail(name, 'must use https');
      return null;
    }
    if (plainHttpRefusal(url, this.rules.allowInsecureHttp)) {
      this.fail(name, 'must use https (plain http is allowed only for loopback hosts such as localhost; set ALLOW_INSECURE_IDP=true to allow it elsewhere)');
      return null;
    }
    if (url.username || url.password) {
      this.fail(name, this.rules.credentialsInUrl);
      return null;
    }
    if (url.hash) {
      this.fail(name, 'must not contain a #fragment');
      return null;
    }
    return value;
  }
}

/** The field error a unique index means on save ("already used"); any other failure as it was. */
export function duplicateAs(err: unknown, fields: FieldErrors): unknown {
  return isUniqueViolation(err) ? new ValidationError(fields) : err;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
