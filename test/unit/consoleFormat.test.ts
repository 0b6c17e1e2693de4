import { describe, expect, it } from 'vitest';
import { timeTag, when } from '../../src/admin/console/format.ts';

describe('the console’s times', () => {
  it('shows a time in UTC to the second', () => {
    expect(when(Date.parse('2026-12-04T19:28:07.123Z'))).toBe('2026-12-04 19:28:07 UTC');
    expect(timeTag(0).__html).toBe('<time datetime="1970-01-01T00:00:00.000Z">1970-01-01 00:00:00 UTC</time>');
  });

  it('shows a dash for no time and for a value that is not one, instead of failing the page', () => {
    for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(when(value)).toBe('—');
      expect(timeTag(value).__html).toBe('—');
    }
  });
});
