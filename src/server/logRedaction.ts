/**
 * What the service's logs never carry. Headers with credentials and secret fields are replaced
 * whole. Request URLs keep their path and parameter names but lose every query value: at info
 * level Fastify logs each request's URL, and the LTI and OIDC endpoints (/auth, /callback,
 * /launch, /lti/*, the hand-off redeem path) carry login hints, states, codes and context JWTs
 * in their query strings. A value is never needed to read a log; its name often is.
 */
export const LOG_REDACTION = {
  paths: ['req.url', 'req.headers.authorization', 'req.headers.cookie', '*.client_secret', '*.password'],
  censor: (value: unknown, path: string[]) => (path.join('.') === 'req.url' && typeof value === 'string' ? redactQuery(value) : '[redacted]'),
};

/** `/auth?login_hint=…&state=…` for `/auth?login_hint=alice&state=abc`; a URL without a query as it is. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0].slice(0, 64)}=…`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}
