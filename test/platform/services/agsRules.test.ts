import { describe, expect, it } from 'vitest';
import { AGS_MEDIA_TYPES, acceptAllows, contentTypeIs, parseIsoDateTime } from '../../../src/lti/services/ags.ts';

describe('AGS timestamps', () => {
  it('read ISO 8601 with a time zone to the microsecond', () => {
    const base = Date.UTC(2026, 11, 3, 10, 0, 0) * 1000;
    expect(parseIsoDateTime('2026-12-03T10:00:00Z')).toBe(base);
    expect(parseIsoDateTime('2026-12-03T10:00:00.736Z')).toBe(base + 736_000);
    expect(parseIsoDateTime('2026-12-03T10:00:00.7361239Z')).toBe(base + 736_123);
    expect(parseIsoDateTime('2026-12-03T11:00:00.5+01:00')).toBe(base + 500_000);
    expect(parseIsoDateTime('2026-12-03T11:00:00+0100')).toBe(base);
    expect(parseIsoDateTime('2026-12-03T10:00:00+00')).toBe(base);
    expect(parseIsoDateTime('2026-12-03T05:30:00-04:30')).toBe(base);
  });

  it('refuse what is not one: no zone, a space, an impossible date or time, a bare date', () => {
    for (const text of ['2026-12-03T10:00:00', '2026-12-03 10:00:00Z', '2026-02-30T10:00:00Z', '2026-12-03T24:00:00Z', '2026-12-03T10:60:00Z', '2026-12-03', 'Thu, 03 Dec 2026 10:00:00 GMT', '2026-12-03T10:00:00+25:00']) {
      expect(parseIsoDateTime(text), text).toBeNull();
    }
  });
});

describe('AGS media types', () => {
  it('match a Content-Type ignoring its parameters and case, and nothing else', () => {
    expect(contentTypeIs('application/vnd.ims.lis.v1.score+json; charset=UTF-8', AGS_MEDIA_TYPES.score)).toBe(true);
    expect(contentTypeIs('Application/VND.ims.lis.v1.score+json', AGS_MEDIA_TYPES.score)).toBe(true);
    for (const header of [undefined, 'application/json', 'application/vnd.ims.lis.v2.lineitem+json']) expect(contentTypeIs(header, AGS_MEDIA_TYPES.score)).toBe(false);
  });

  it('let an Accept header allow the type, a wildcard of it, JSON itself, or no header; not q=0 nor another type', () => {
    const type = AGS_MEDIA_TYPES.lineItem;
    for (const header of [undefined, '', '*/*', 'application/*', 'application/json', type, `text/html, ${type};q=0.2`]) expect(acceptAllows(header, type), String(header)).toBe(true);
    for (const header of ['application/json;q=0', `${type};q=0`, 'text/html', 'text/json', AGS_MEDIA_TYPES.lineItemContainer]) expect(acceptAllows(header, type), header).toBe(false);
  });
});
