import { badRequest } from '../../../lti/errors.ts';
import { hasNul } from '../../../lti/nulCheck.ts';
import { isFormEncoded, readTokenRequest as readForm } from '../../../lti/services/tokenRequest.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** RFC 6749 §4.4.2: the body is `application/x-www-form-urlencoded`, each parameter of the grant once, no NUL in any. */
export const readTokenRequest: Step<TokenContext> = {
  name: 'read_token_request',
  spec: 'RFC 6749 §3.2, §4.4.2',
  codes: ['token_request_invalid'],
  run(ctx) {
    const contentType = ctx.request.headers['content-type'];
    if (!isFormEncoded(contentType) || typeof ctx.body !== 'string') {
      throw badRequest('token_request_invalid', 'Send the token request as application/x-www-form-urlencoded.').saying({ content_type: contentType });
    }
    const request = readForm(ctx.body);
    // As the server refuses a NUL anywhere else (src/server/server.ts): no valid parameter has one.
    if (hasNul(request)) throw badRequest('token_request_invalid', 'The token request contains a NUL character, which no valid request does.');
    ctx.tokenRequest = request;
  },
};
