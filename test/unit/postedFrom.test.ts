import { describe, expect, it } from 'vitest';
import { postedFrom } from '../../src/tool/postedFrom.ts';

const SELF = 'https://tool.example';

describe('postedFrom: the origin a browser says a form post came from', () => {
  it('takes the Origin when it has a value', () => {
    expect(postedFrom({ origin: 'https://lms.example', referer: 'https://other.example/' }, SELF)).toBe('https://lms.example');
  });

  it('reads Origin: null as absent, never as a match', () => {
    expect(postedFrom({ origin: 'null' }, SELF)).toBeNull();
    expect(postedFrom({ origin: 'null', referer: 'https://lms.example/auth?x=1' }, SELF)).toBe('https://lms.example');
  });

  it('takes Sec-Fetch-Site: same-origin as this service’s own page, and cross-site or same-site as saying nothing', () => {
    expect(postedFrom({ origin: 'null', 'sec-fetch-site': 'same-origin' }, SELF)).toBe(SELF);
    expect(postedFrom({ 'sec-fetch-site': 'cross-site' }, SELF)).toBeNull();
    expect(postedFrom({ 'sec-fetch-site': 'same-site' }, SELF)).toBeNull();
    expect(postedFrom({ 'sec-fetch-site': 'cross-site', referer: 'https://lms.example/' }, SELF)).toBe('https://lms.example');
  });

  it('says nothing for no headers, a Referer that is not an http(s) URL', () => {
    expect(postedFrom({}, SELF)).toBeNull();
    expect(postedFrom({ referer: 'not a url' }, SELF)).toBeNull();
    expect(postedFrom({ referer: 'javascript:alert(1)' }, SELF)).toBeNull();
  });
});
