import { describe, expect, it } from 'vitest';
import { MAX_LMS_TEXT } from '../../src/lti/services/lmsErrorAnswer.ts';
import { readTokenAnswer, tokenRequestForm } from '../../src/lti/services/tokenAnswer.ts';

const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const ASKED = ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'];

describe('reading a token endpoint’s answer', () => {
  it('takes a token in any case of Bearer, with the granted scopes split on any whitespace', () => {
    expect(readTokenAnswer(json(200, { access_token: 'tok-123', token_type: 'bEaReR', expires_in: 1800, scope: ` ${ASKED[0]}\t ` }), ASKED))
      .toEqual({ kind: 'granted', accessToken: 'tok-123', scopes: [ASKED[0]], expiresInSeconds: 1800 });
  });

  it('takes an absent or empty scope as the scopes asked, and an absent, non-numeric or negative expires_in as an hour', () => {
    for (const extra of [{}, { scope: '' }]) expect(readTokenAnswer(json(200, { access_token: 't', ...extra }), ASKED)).toMatchObject({ scopes: ASKED, expiresInSeconds: 3600 });
    expect(readTokenAnswer(json(200, { access_token: 't', expires_in: '600' }), ASKED)).toMatchObject({ expiresInSeconds: 600 });
    for (const expiresIn of ['soon', -5, null]) expect(readTokenAnswer(json(200, { access_token: 't', expires_in: expiresIn }), ASKED)).toMatchObject({ expiresInSeconds: 3600 });
  });

  it('finds no valid answer in a 200 without a usable token, of another type, or that is not JSON, nor in a 5xx or a redirect', () => {
    for (const answer of [
      json(200, { token_type: 'Bearer' }), json(200, { access_token: '', token_type: 'Bearer' }), json(200, { access_token: 'a b' }),
      json(200, { access_token: 't', token_type: 'DPoP' }), json(200, ['t']), { status: 200, contentType: 'text/html', body: '<html>' },
      json(500, { error: 'server_error' }), { status: 302, contentType: 'text/html', body: '' },
    ]) expect(readTokenAnswer(answer, ASKED).kind).toBe('invalid');
  });

  it('reads a 4xx refusal’s error and description from JSON, a form or text, cut short', () => {
    expect(readTokenAnswer(json(400, { error: 'invalid_scope', error_description: 'No.' }), ASKED)).toEqual({ kind: 'refused', status: 400, error: 'invalid_scope', errorDescription: 'No.' });
    expect(readTokenAnswer({ status: 401, contentType: 'text/plain', body: 'error=invalid_client&error_description=Who%3F' }, ASKED))
      .toEqual({ kind: 'refused', status: 401, error: 'invalid_client', errorDescription: 'Who?' });
    const long = readTokenAnswer({ status: 429, contentType: 'text/plain', body: `\n  Slow   down ${'!'.repeat(1000)}` }, ASKED);
    expect(long).toMatchObject({ kind: 'refused', status: 429, error: null });
    expect(long.kind === 'refused' && long.errorDescription!.startsWith('Slow down !')).toBe(true);
    expect(long.kind === 'refused' && long.errorDescription!.length).toBe(MAX_LMS_TEXT);
    // An HTML page is nobody's words; nested errors are read as the service clients read them (one parser).
    expect(readTokenAnswer({ status: 403, contentType: 'text/html', body: '<html><h1>Forbidden</h1></html>' }, ASKED)).toMatchObject({ error: null, errorDescription: null });
    expect(readTokenAnswer(json(400, { error: { message: 'nested' } }), ASKED)).toMatchObject({ error: 'nested', errorDescription: null });
    expect(readTokenAnswer(json(400, { errors: [{ message: 'Developer key inactive' }] }), ASKED)).toMatchObject({ error: 'Developer key inactive', errorDescription: null });
  });

  it('builds the client-credentials form with the assertion and the scopes space-separated', () => {
    expect(Object.fromEntries(tokenRequestForm('a.b.c', ASKED))).toEqual({
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'a.b.c', scope: ASKED.join(' '),
    });
  });
});
