import { describe, expect, it } from 'vitest';
import { negotiate } from '../../../src/web/mediaTypes.ts';

const NRPS = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const OFFERED = [NRPS, 'application/json'];

describe('content negotiation of the services', () => {
  it('takes the media type, plain JSON, wildcards or no Accept; parameters other than q do not matter', () => {
    expect(negotiate(undefined, OFFERED)).toBe(NRPS);
    expect(negotiate('', OFFERED)).toBe(NRPS);
    expect(negotiate(NRPS, OFFERED)).toBe(NRPS);
    expect(negotiate(`${NRPS.toUpperCase()}; charset=utf-8`, OFFERED)).toBe(NRPS);
    expect(negotiate('application/json', OFFERED)).toBe('application/json');
    expect(negotiate('*/*', OFFERED)).toBe(NRPS);
    expect(negotiate('application/*', OFFERED)).toBe(NRPS);
    expect(negotiate(`application/json, ${NRPS};q=0.5`, OFFERED)).toBe('application/json');
  });

  it('refuses what names none of them, or refuses them with q=0', () => {
    expect(negotiate('text/html', OFFERED)).toBeNull();
    expect(negotiate('application/vnd.ims.lis.v2.membershipcontainer+json', OFFERED)).toBeNull();
    expect(negotiate(`${NRPS};q=0, application/json;q=0`, OFFERED)).toBeNull();
    expect(negotiate('*/*, application/*;q=0', OFFERED)).toBeNull();
    expect(negotiate('not a media type', OFFERED)).toBeNull();
  });
});
