/**
 * The pure parts of the gateway's LMS services: the Link header's next page, the service claims of
 * a launch, where a line item moves with its container, and the URLs below a line item.
 */
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { LtiError } from '../../src/lti/errors.ts';
import { readServiceClaims } from '../../src/lti/services/serviceClaims.ts';
import { lineItemServiceUrl } from '../../src/tool/clients/lineItems.ts';
import { lmsErrorOf, MAX_LMS_TEXT } from '../../src/lti/services/lmsErrorAnswer.ts';
import { nextPageUrl } from '../../src/tool/clients/linkHeader.ts';
import { rebasedLineItemUrl } from '../../src/tool/model/serviceEndpoints.ts';

const PAGE = 'https://lms.example.edu/api/lti/courses/1/names_and_roles?page=1';

describe('the next page of a Link header', () => {
  it('finds rel="next" among several links and several rels', () => {
    expect(nextPageUrl('<https://lms.example.edu/a?page=1>; rel="current",<https://lms.example.edu/a?page=2>; rel="next",<https://lms.example.edu/a?page=1>; rel="first"', PAGE))
      .toBe('https://lms.example.edu/a?page=2');
    expect(nextPageUrl('<https://lms.example.edu/a?page=9>; rel="last next"', PAGE)).toBe('https://lms.example.edu/a?page=9');
    // Two Link headers, joined by fetch with ", ".
    expect(nextPageUrl('<https://lms.example.edu/a?p=0>; rel=prev, <https://lms.example.edu/a?p=2>; rel=next', PAGE)).toBe('https://lms.example.edu/a?p=2');
  });

  it('reads odd spacing, any case, unquoted values and typographic quotes', () => {
    expect(nextPageUrl('  < https://lms.example.edu/b?from=50 >  ;   REL  =  "Next"  ', PAGE)).toBe('https://lms.example.edu/b?from=50');
    expect(nextPageUrl('<https://lms.example.edu/b?from=50>;rel=next', PAGE)).toBe('https://lms.example.edu/b?from=50');
    expect(nextPageUrl('<https://lms.example.edu/b?from=50>; rel=“next”', PAGE)).toBe('https://lms.example.edu/b?from=50');
    // As Node hands over Moodle's UTF-8 quotes: each byte a Latin-1 character.
    expect(nextPageUrl(Buffer.from('<https://lms.example.edu/b?from=50>; rel=“next”', 'utf8').toString('latin1'), PAGE)).toBe('https://lms.example.edu/b?from=50');
  });

  it('resolves a relative URL against the page, and keeps the case of its cursor', () => {
    expect(nextPageUrl('<names_and_roles?page=2&Cursor=AbC>; rel="next"', PAGE)).toBe('https://lms.example.edu/api/lti/courses/1/names_and_roles?page=2&Cursor=AbC');
    expect(nextPageUrl('</other?page=2>; rel="next"', PAGE)).toBe('https://lms.example.edu/other?page=2');
  });

  it('does not split a link at a comma inside its URL or a quoted value', () => {
    expect(nextPageUrl('<https://lms.example.edu/a?ids=1,2>; rel="prev"; title="a, b", <https://lms.example.edu/a?ids=3,4>; rel="next"', PAGE))
      .toBe('https://lms.example.edu/a?ids=3,4');
  });

  it('finds none when there is no next link', () => {
    expect(nextPageUrl(null, PAGE)).toBeNull();
    expect(nextPageUrl('', PAGE)).toBeNull();
    expect(nextPageUrl('<https://lms.example.edu/a?page=1>; rel="first", <https://lms.example.edu/a?page=3>; rel="last"', PAGE)).toBeNull();
    expect(nextPageUrl('<https://lms.example.edu/a?page=2>; rel="nextpage"', PAGE)).toBeNull();
    expect(nextPageUrl('https://lms.example.edu/a?page=2; rel="next"', PAGE)).toBeNull();
  });
});

describe('URLs below a line item and a moved container', () => {
  it('keeps the line item’s query string for its scores and results', () => {
    expect(lineItemServiceUrl('https://moodle.example.edu/mod/lti/services.php/2/lineitems/3/lineitem?type_id=3', 'scores').href)
      .toBe('https://moodle.example.edu/mod/lti/services.php/2/lineitems/3/lineitem/scores?type_id=3');
    expect(lineItemServiceUrl('https://canvas.example.edu/api/lti/courses/1/line_items/7/', 'results').href)
      .toBe('https://canvas.example.edu/api/lti/courses/1/line_items/7/results');
  });

  it('moves a line item named under the old container to the new one, and leaves others where they are', () => {
    const old = 'https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=1';
    const moved = 'https://moodle.example.org/lms/mod/lti/services.php/2/lineitems?type_id=4';
    expect(rebasedLineItemUrl('https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1', old, moved))
      .toBe('https://moodle.example.org/lms/mod/lti/services.php/2/lineitems/7/lineitem?type_id=4');
    expect(rebasedLineItemUrl('https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?x=1', old, moved))
      .toBe('https://moodle.example.org/lms/mod/lti/services.php/2/lineitems/7/lineitem?x=1');
    expect(rebasedLineItemUrl('https://moodle.example.edu/mod/lti/services.php/2/lineitemsX/7', old, moved)).toBeNull();
    expect(rebasedLineItemUrl('https://other.example.edu/mod/lti/services.php/2/lineitems/7/lineitem', old, moved)).toBeNull();
  });
});

describe('the service claims of a launch', () => {
  const AGS = { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitems: 'https://lms/li', lineitem: 'https://lms/li/1' };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as LtiError).code;
    }
    return null;
  };

  it('reads both claims, each scope once; an absent claim is no service', () => {
    expect(readServiceClaims({ [CLAIM.ags]: AGS, [CLAIM.nrps]: { context_memberships_url: 'https://lms/nrps', service_versions: ['2.0'] } })).toEqual({
      ags: { scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineItemsUrl: 'https://lms/li', lineItemUrl: 'https://lms/li/1' },
      nrps: { membersUrl: 'https://lms/nrps' },
    });
    expect(readServiceClaims({})).toEqual({ ags: null, nrps: null });
    expect(readServiceClaims({ [CLAIM.ags]: { lineitem: 'https://lms/li/1' } }).ags).toEqual({ scopes: [], lineItemsUrl: null, lineItemUrl: 'https://lms/li/1' });
  });

  it('refuses a claim of the wrong shape with service_claim_invalid', () => {
    for (const ags of [[], 'https://lms/li', { ...AGS, scope: 'score' }, { ...AGS, scope: [1] }, { ...AGS, lineitems: 5 }, { ...AGS, lineitem: '' }, { scope: [] }]) {
      expect(code(() => readServiceClaims({ [CLAIM.ags]: ags })), JSON.stringify(ags)).toBe('service_claim_invalid');
    }
    for (const nrps of [{}, { context_memberships_url: 7 }, ['https://lms/nrps'], { context_memberships_url: 'x'.repeat(3000) }]) {
      expect(code(() => readServiceClaims({ [CLAIM.nrps]: nrps })), JSON.stringify(nrps)).toBe('service_claim_invalid');
    }
  });
});

describe('the words of an LMS’s error answer', () => {
  it('reads Canvas, Moodle and OAuth-style answers, and no page', () => {
    expect(lmsErrorOf({ contentType: null, body: '{"errors":[{"message":"Invalid access token"}]}' })).toEqual({ error: 'Invalid access token', errorDescription: null });
    expect(lmsErrorOf({ contentType: null, body: '{"status":400,"reason":"Incorrect score received"}' })).toEqual({ error: 'Incorrect score received', errorDescription: null });
    expect(lmsErrorOf({ contentType: null, body: '{"error":"invalid_grant","error_description":"expired"}' })).toEqual({ error: 'invalid_grant', errorDescription: 'expired' });
    expect(lmsErrorOf({ contentType: null, body: '{"error":{"message":"Nope"}}' })).toEqual({ error: 'Nope', errorDescription: null });
    expect(lmsErrorOf({ contentType: null, body: '<html><body>Error</body></html>' })).toEqual({ error: null, errorDescription: null });
    expect(lmsErrorOf({ contentType: null, body: '' })).toEqual({ error: null, errorDescription: null });
    expect(lmsErrorOf({ contentType: null, body: 'null' })).toEqual({ error: null, errorDescription: null });
    expect(lmsErrorOf({ contentType: 'application/x-www-form-urlencoded', body: 'error=invalid_client&error_description=Unknown+client' }))
      .toEqual({ error: 'invalid_client', errorDescription: 'Unknown client' });
    expect(lmsErrorOf({ contentType: 'text/plain', body: ' Service   down\nfor maintenance ' })).toEqual({ error: null, errorDescription: 'Service down for maintenance' });
    expect(lmsErrorOf({ contentType: null, body: JSON.stringify({ message: 'y'.repeat(1000) }) }).error).toBe(`${'y'.repeat(MAX_LMS_TEXT - 1)}…`);
  });
});
