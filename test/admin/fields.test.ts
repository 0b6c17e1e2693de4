import { describe, expect, it } from 'vitest';
import { duplicateAs, Fields, gatewayRules, launcherRules, type FieldRules } from '../../src/input/fields.ts';
import { ValidationError } from '../../src/input/errors.ts';

const launcher = (body: Record<string, unknown>) => new Fields(body, launcherRules(false));
const gateway = (body: Record<string, unknown>, allowInsecure = false) => new Fields(body, gatewayRules(allowInsecure));

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('admin fields: text', () => {
  it('trims text on the launcher and refuses surrounding spaces on the gateway', () => {
    const l = launcher({ name: '  Springfield ' });
    expect(l.text('name', { required: true })).toBe('Springfield');
    expect(l.errors).toEqual({});
    const g = gateway({ name: ' Canvas' });
    g.text('name', { required: true });
    expect(g.errors).toEqual({ name: 'must not start or end with spaces' });
  });

  it('words a value that is not text as each role always has', () => {
    const l = launcher({ name: 5 });
    expect(l.text('name')).toBeNull();
    const g = gateway({ name: 5 });
    g.text('name');
    expect([l.errors.name, g.errors.name]).toEqual(['must be a string', 'must be text']);
  });

  it('treats missing, null and empty text alike: an error only when required', () => {
    for (const value of [undefined, null, '']) {
      const f = launcher({ a: value, b: value });
      expect([f.text('a', { required: true }), f.text('b')]).toEqual([null, null]);
      expect(f.errors).toEqual({ a: 'is required' });
    }
  });

  it('takes a launcher value of only spaces as no value, so a required field is not saved empty', () => {
    const f = launcher({ client_id: '   ', description: ' \t ' });
    expect([f.text('client_id', { required: true }), f.text('description')]).toEqual([null, null]);
    expect(f.errors).toEqual({ client_id: 'is required' });
  });

  it('limits launcher text to 2000 characters unless the field says otherwise; gateway text only when it says so', () => {
    const l = launcher({ long: 'a'.repeat(2001), short: 'abcd' });
    l.text('long');
    l.text('short', { max: 3 });
    expect(l.errors).toEqual({ long: 'must be at most 2000 characters', short: 'must be at most 3 characters' });
    const g = gateway({ long: 'a'.repeat(5000) });
    expect(g.text('long')).toHaveLength(5000);
    expect(g.errors).toEqual({});
  });

  it('checks the pattern after the length, with the field\'s hint', () => {
    const f = launcher({ slug: 'Not A Slug', other: 'x y' });
    f.text('slug', { pattern: /^[a-z-]+$/, patternHint: 'must be lower-case letters and dashes' });
    f.text('other', { pattern: /^\S+$/ });
    expect(f.errors).toEqual({ slug: 'must be lower-case letters and dashes', other: 'has an invalid format' });
  });
});

const PLAIN_HTTP_REFUSED = 'must use https (plain http is allowed only for loopback hosts such as localhost; set ALLOW_INSECURE_IDP=true to allow it elsewhere)';

describe('admin fields: URLs', () => {
  /** The message a URL field gets under a role's rules, or null when the URL is accepted. */
  const refused = (rules: FieldRules, url: unknown) => {
    const f = new Fields({ u: url }, rules);
    f.url('u');
    return f.errors.u ?? null;
  };

  it.each([['launcher', launcherRules], ['gateway', gatewayRules]] as const)(
    'lets the %s take plain http only on loopback hosts, unless insecure endpoints are allowed',
    (_role, rules) => {
      const strict = rules(false);
      expect(refused(strict, 'http://tool.example.edu/')).toBe(PLAIN_HTTP_REFUSED);
      for (const host of ['localhost', 'moodle.localhost', '127.0.0.1', '[::1]']) expect(refused(strict, `http://${host}:8080/`)).toBeNull();
      expect(refused(rules(true), 'http://tool.example.edu/')).toBeNull();
    },
  );

  it('refuses other schemes, credentials and fragments, in each role\'s words', () => {
    const l = launcherRules(false);
    const g = gatewayRules(false);
    expect([refused(l, 'ftp://x.example/'), refused(g, 'ftp://x.example/')]).toEqual(['must use https', 'must use https']);
    expect([refused(l, 'https://u:p@x.example/'), refused(g, 'https://u:p@x.example/')])
      .toEqual(['must not contain credentials', 'must not contain a user name or password']);
    expect([refused(l, 'https://x.example/#a'), refused(g, 'https://x.example/#a')]).toEqual(['must not contain a #fragment', 'must not contain a #fragment']);
    expect([refused(l, 'x.example'), refused(g, 'x.example')])
      .toEqual(['must be an absolute URL, got "x.example"', 'must be an absolute URL such as https://lms.example.edu/…']);
  });

  it('limits URLs to 2000 characters on the launcher and 2048 on the gateway', () => {
    const url = `https://x.example/${'a'.repeat(2010)}`;
    expect(refused(launcherRules(false), url)).toBe('must be at most 2000 characters');
    expect(refused(gatewayRules(false), url)).toBeNull();
    expect(refused(gatewayRules(false), `https://x.example/${'a'.repeat(2040)}`)).toBe('must be at most 2048 characters');
  });

  it('reads a list of URLs, keeping the valid ones and naming the list for a bad one', () => {
    const f = launcher({ ok: [' https://a.example/cb ', 'https://b.example/cb'], bad: ['https://a.example/', 'nope'], wrong: 'https://a.example/' });
    expect(f.urlList('ok')).toEqual(['https://a.example/cb', 'https://b.example/cb']);
    expect(f.urlList('bad')).toEqual(['https://a.example/']);
    expect(f.urlList('wrong')).toEqual([]);
    expect(f.errors).toEqual({ bad: 'must be an absolute URL, got "nope"', wrong: 'must be a list of URLs' });
  });
});

describe('admin fields: form values', () => {
  it('reads checkboxes and JSON booleans, keeping the fallback when absent', () => {
    const f = launcher({ a: 'on', b: '0', c: false, d: 'maybe' });
    expect([f.bool('a', false), f.bool('b', true), f.bool('c', true), f.bool('d', true), f.bool('absent', true)]).toEqual([true, false, false, true, true]);
    expect(f.errors).toEqual({ d: 'must be true or false' });
  });

  it('reads JSON given as text or as a value, and string maps', () => {
    const f = launcher({ j: '{"a": 1}', v: { a: 1 }, bad: '{', m: '{"level": "intro"}', notMap: { level: 1 } });
    expect([f.json('j'), f.json('v'), f.json('bad'), f.json('absent')]).toEqual([{ a: 1 }, { a: 1 }, null, null]);
    expect([f.stringMap('m'), f.stringMap('notMap')]).toEqual([{ level: 'intro' }, {}]);
    expect(f.errors).toEqual({
      bad: 'must be valid JSON',
      notMap: 'must be an object whose values are strings, e.g. {"course_level": "advanced"}',
    });
  });
});

describe('admin fields: collecting errors', () => {
  it('keeps the first message of a field and throws every field at once as a 422', () => {
    const f = launcher({});
    f.fail('slug', 'is required');
    f.fail('slug', '"admin" is reserved');
    f.fail('name', 'is required');
    const err = refusal(() => f.throwIfInvalid());
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect(err.fields).toEqual({ slug: 'is required', name: 'is required' });
    expect(err.message).toBe('slug: is required; name: is required');
    expect(() => launcher({}).throwIfInvalid()).not.toThrow();
  });

  it('runs a service\'s own rule and returns the value as given', () => {
    const f = gateway({ handoff: 'post', mode: 'code' });
    const rule = (v: unknown) => (v === 'code' ? null : 'must be "code"');
    expect([f.rule('handoff', rule), f.rule('mode', rule)]).toEqual(['post', 'code']);
    expect(f.errors).toEqual({ handoff: 'must be "code"' });
  });

  it('turns a unique-index violation into the given field error and passes any other failure through', () => {
    const duplicate = duplicateAs(Object.assign(new Error('UNIQUE'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), { slug: 'is already used' });
    expect(duplicate).toBeInstanceOf(ValidationError);
    expect((duplicate as ValidationError).fields).toEqual({ slug: 'is already used' });
    const other = new Error('disk full');
    expect(duplicateAs(other, { slug: 'is already used' })).toBe(other);
  });
});

describe('admin fields: a gateway update over stored values', () => {
  const stored = { name: 'Canvas', issuer: 'https://canvas.example', deployment_ids: ['1'] };

  it('takes each field the input names, even as null, and keeps the others', () => {
    const f = Fields.merge({ name: 'Moodle', deployment_ids: null }, stored, gatewayRules(false));
    expect([f.value('name'), f.value('issuer'), f.value('deployment_ids')]).toEqual(['Moodle', 'https://canvas.example', null]);
  });

  it('checks stored values again, not only the ones given', () => {
    const f = Fields.merge({ name: 'Moodle' }, { ...stored, issuer: 'http://canvas.example' }, gatewayRules(false));
    f.url('issuer', { required: true });
    expect(f.errors).toEqual({ issuer: PLAIN_HTTP_REFUSED });
  });

  it('refuses unknown fields first (400 unknown_fields), including names every object inherits', () => {
    const f = Fields.merge({ colour: 'red', constructor: 1, toString: 'x', name: '' }, stored, gatewayRules(false));
    f.text('name', { required: true });
    expect(f.errors).toEqual({ name: 'is required' });
    expect(() => f.throwIfInvalid()).toThrow(expect.objectContaining({ code: 'unknown_fields', status: 400, fields: ['colour', 'constructor', 'toString'] }));
  });

  it('knows the fields a save reads, so a launcher save refuses only the names it never asked about', () => {
    const f = new Fields({ name: 'Quiz', colour: 'red', constructor: 1 }, launcherRules(false));
    f.text('name');
    f.has('description');
    expect(() => f.throwIfInvalid()).toThrow(expect.objectContaining({ code: 'unknown_fields', fields: ['colour', 'constructor'] }));
    f.value('colour');
    f.bool('constructor', false);
    expect(() => f.throwIfInvalid()).toThrow(ValidationError); // now known; "constructor" is not a boolean
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 5]) {
      expect(refusal(() => Fields.merge(body, stored, gatewayRules(false))).fields).toEqual({ body: 'must be a JSON object' });
    }
  });
});
