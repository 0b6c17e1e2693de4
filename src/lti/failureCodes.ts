/**
 * Every failure code the service can answer with, on either role, its HTTP status and what it
 * means. A code is shown to the person (error page), to API clients (`error` of a JSON answer), in
 * the launch log and as the `code` label of the metrics, and is listed in the README's
 * "Troubleshooting launches" table (test/unit/failureCodes.test.ts holds the two together).
 * One code, one meaning: a new failure gets a new code.
 */

/** Where a failure is met: the launcher (platform role), the gateway (tool role), either one's server, or the admin console and API. */
export type FailureRole = 'launcher' | 'gateway' | 'both' | 'admin';

interface Failure {
  /** The HTTP status the failure is answered with. */
  readonly status: number;
  /** What went wrong, in a line. */
  readonly meaning: string;
}

interface OneRoleFailure extends Failure {
  readonly role: FailureRole;
  /**
   * The request names nothing this service knows (a platform, tool, registration or app): anyone
   * can send it, so it is never written to the launch log, only counted in
   * `lti_refused_requests_total` (src/pipeline/steps.ts).
   */
  readonly anonymous?: true;
  /** A request the web framework itself refused keeps the framework's 4xx (a body type no route reads is a 415) in place of `status`. */
  readonly frameworkStatus?: true;
}

/**
 * A code both roles raise, each for its own step with a status of its own. Kept under one name
 * because clients and tests know it by that name in both roles; a new code never does this.
 */
interface PerRoleFailure {
  readonly role: 'both';
  readonly launcher: Failure;
  readonly gateway: Failure;
}

export const FAILURE_CODES = {
  // The launcher: the link, its course context, and the tool's login request.
  platform_unknown: { role: 'launcher', status: 404, anonymous: true, meaning: 'the URL names no platform of this launcher' },
  tool_unknown: { role: 'launcher', status: 404, anonymous: true, meaning: 'the platform has no tool with the client_id of the link' },
  tool_removed: { role: 'launcher', status: 404, anonymous: true, meaning: 'the tool of a launch in progress (or of a test launch) was deleted since it started' },
  context_malformed: { role: 'launcher', status: 400, meaning: 'the context parameter is not one signed JWT (or is given twice, or is too large)' },
  context_signature_invalid: { role: 'launcher', status: 401, meaning: 'the context JWT is not signed by the platform’s key' },
  context_key_unknown: { role: 'launcher', status: 401, meaning: 'the context JWT’s kid is not in the platform’s key set' },
  context_alg_forbidden: { role: 'launcher', status: 400, meaning: 'the context JWT is signed with an algorithm outside the allow-list' },
  context_expired: { role: 'launcher', status: 401, meaning: 'the context JWT’s exp has passed' },
  context_not_yet_valid: { role: 'launcher', status: 401, meaning: 'the context JWT’s nbf or iat is in the future' },
  context_exp_missing: { role: 'launcher', status: 401, meaning: 'the context JWT has no exp' },
  context_lifetime_too_long: { role: 'launcher', status: 401, meaning: 'the context JWT lives longer than CONTEXT_MAX_LIFETIME_SECONDS' },
  context_audience_missing: { role: 'launcher', status: 401, meaning: 'the context JWT has no aud' },
  context_audience_invalid: { role: 'launcher', status: 401, meaning: 'the context JWT’s aud names another launcher' },
  context_claims_invalid: { role: 'launcher', status: 401, meaning: 'a standard claim of the context JWT fails its check (an iat that is not a number)' },
  context_privilege_unbound: { role: 'launcher', status: 400, meaning: 'the context JWT gives roles without naming the user (sub)' },
  context_claim_forbidden: { role: 'launcher', status: 400, meaning: 'the context JWT sets an identity or security claim' },
  context_claim_invalid: { role: 'launcher', status: 400, meaning: 'a claim of the context JWT has the wrong shape' },
  context_url_invalid: { role: 'launcher', status: 400, meaning: 'a URL in the context JWT is not http(s)' },
  context_keys_missing: { role: 'launcher', status: 400, meaning: 'the link carries a context but the platform has no context key' },
  context_keys_unavailable: { role: 'launcher', status: 502, meaning: 'the platform’s context key set could not be fetched' },
  context_jwks_invalid: { role: 'launcher', status: 502, meaning: 'the portal’s context key set publishes a private key or two keys under one kid' },
  context_user_mismatch: { role: 'launcher', status: 403, meaning: 'the person signed in is not the sub the link was made for' },
  context_replayed: { role: 'launcher', status: 403, meaning: 'the context JWT’s jti was used already' },
  callback_wrong_browser: { role: 'launcher', status: 403, meaning: 'the IdP sign-in finished in another browser than it started in' },
  idp_denied: { role: 'launcher', status: 401, meaning: 'the IdP answered with an error instead of a code' },
  idp_code_missing: { role: 'launcher', status: 400, meaning: 'the IdP answered with neither a code nor an error' },
  idp_code_rejected: { role: 'launcher', status: 401, meaning: 'the IdP refused the code exchange' },
  idp_token_invalid: { role: 'launcher', status: 401, meaning: 'the IdP’s id_token failed verification' },
  idp_unavailable: { role: 'launcher', status: 502, meaning: 'the IdP gave no usable answer at its token endpoint or key set' },
  idp_url_refused: { role: 'launcher', status: 502, meaning: 'this server’s settings forbid contacting the IdP’s URL' },
  idp_metadata_invalid: { role: 'launcher', status: 502, meaning: 'the platform’s stored OpenID configuration is not usable' },
  auth_client_unknown: { role: 'launcher', status: 404, anonymous: true, meaning: 'the tool’s authentication request names a client_id the platform does not have' },
  auth_request_invalid: { role: 'launcher', status: 400, meaning: 'a parameter of the authentication request is repeated or too long' },
  auth_scope_invalid: { role: 'launcher', status: 400, meaning: 'the authentication request’s scope is not openid' },
  auth_response_type_invalid: { role: 'launcher', status: 400, meaning: 'the authentication request’s response_type is not id_token' },
  auth_response_mode_invalid: { role: 'launcher', status: 400, meaning: 'the authentication request’s response_mode is not form_post' },
  auth_prompt_invalid: { role: 'launcher', status: 400, meaning: 'the authentication request’s prompt is not none' },
  auth_redirect_uri_invalid: { role: 'launcher', status: 400, meaning: 'the redirect_uri is not one registered for the tool' },
  login_hint_invalid: { role: 'launcher', status: 400, meaning: 'the login hint is missing or unknown' },
  login_hint_expired: { role: 'launcher', status: 401, meaning: 'the login hint is older than its lifetime' },
  login_hint_used: { role: 'launcher', status: 403, meaning: 'the login hint was used already' },
  login_hint_wrong_browser: { role: 'launcher', status: 403, meaning: 'the login hint comes back from another browser' },
  message_hint_mismatch: { role: 'launcher', status: 400, meaning: 'the tool changed lti_message_hint' },
  test_launch_start_invalid: { role: 'launcher', status: 400, meaning: 'the test launch’s start token cannot be read' },
  test_launch_start_wrong_platform: { role: 'launcher', status: 400, meaning: 'the test launch belongs to another platform' },
  test_launch_start_cross_site: { role: 'launcher', status: 403, meaning: 'the test launch start was posted from another site' },
  test_launch_start_used: { role: 'launcher', status: 403, meaning: 'the test launch was started already' },
  test_launch_start_expired: { role: 'launcher', status: 401, meaning: 'the test launch waited over two minutes to start' },
  test_launch_start_wrong_browser: { role: 'launcher', status: 403, meaning: 'the test launch starts in another browser than the console’s' },

  // The launcher's services (LTI Advantage: AGS, NRPS), called with a token of its token endpoint.
  access_token_missing: { role: 'launcher', status: 401, meaning: 'a service request carries no Bearer access token' },
  access_token_invalid: { role: 'launcher', status: 401, meaning: 'a service request’s access token is unknown, expired or of another platform' },
  access_token_scope_insufficient: { role: 'launcher', status: 403, meaning: 'the access token was not granted a scope the service needs' },
  ags_media_type_unsupported: { role: 'launcher', status: 415, meaning: 'a line item or score was not sent with its AGS media type as Content-Type' },
  ags_media_type_not_acceptable: { role: 'launcher', status: 406, meaning: 'the Accept header of a grades request excludes the AGS media type of the answer' },
  ags_body_malformed: { role: 'launcher', status: 400, meaning: 'the body of a line item or score is not a JSON object' },
  ags_query_invalid: { role: 'launcher', status: 400, meaning: 'a filter or paging parameter of a grades request is repeated or not valid' },
  line_item_field_invalid: { role: 'launcher', status: 400, meaning: 'a field of a line item sent by a tool is missing or has the wrong type (the message names it)' },
  line_item_not_found: { role: 'launcher', status: 404, meaning: 'the URL names no line item of this context (for a tool: of its own)' },
  line_item_context_unknown: { role: 'launcher', status: 404, meaning: 'a tool created a line item in a context it was never launched in' },
  line_item_resource_link_unknown: { role: 'launcher', status: 404, meaning: 'a line item names a resourceLinkId the tool was never launched from in this context' },
  score_field_invalid: { role: 'launcher', status: 400, meaning: 'a field of a score sent by a tool is missing or has the wrong type (the message names it)' },
  score_user_not_member: { role: 'launcher', status: 422, meaning: 'a score’s userId is not a member of the line item’s context' },
  score_out_of_date: { role: 'launcher', status: 409, meaning: 'a score’s timestamp is older than the one already stored for that user and line item' },
  service_accept_unsupported: { role: 'launcher', status: 406, meaning: 'a service request’s Accept header names no media type the service answers with' },
  nrps_disabled: { role: 'launcher', status: 403, meaning: 'the tool of the access token may not read memberships (its NRPS setting is off)' },
  memberships_query_invalid: { role: 'launcher', status: 400, meaning: 'a parameter of a memberships request (role, rlid, limit, since, after) is malformed or repeated' },
  memberships_context_unknown: { role: 'launcher', status: 404, meaning: 'the platform has no member in the context the memberships URL names: no launch and no roster push there' },
  roster_invalid: { role: 'launcher', status: 400, meaning: 'the portal’s roster push is not {members: [{sub, name?, given_name?, family_name?, email?, roles}]}: the message names each wrong field' },

  // The launcher's token endpoint (Security Framework §4.1.1, RFC 7523): a tool trades a signed client assertion for an access token.
  token_request_invalid: { role: 'launcher', status: 400, meaning: 'a token request is not form-encoded, or gives a parameter twice' },
  token_grant_type_unsupported: { role: 'launcher', status: 400, meaning: 'a token request’s grant_type is not client_credentials' },
  client_assertion_missing: { role: 'launcher', status: 401, meaning: 'a token request carries no client_assertion or client_assertion_type' },
  client_assertion_type_unsupported: { role: 'launcher', status: 401, meaning: 'a token request’s client_assertion_type is not the JWT bearer type of RFC 7523' },
  client_assertion_malformed: { role: 'launcher', status: 401, meaning: 'the client assertion is not a signed JWT with a JSON claims set' },
  client_unknown: { role: 'launcher', status: 401, anonymous: true, meaning: 'the client assertion’s sub names no tool of this platform' },
  client_assertion_iss: { role: 'launcher', status: 401, meaning: 'the client assertion’s iss is not its sub (the tool’s client_id)' },
  client_assertion_exp: { role: 'launcher', status: 401, meaning: 'the client assertion has no exp or iat, or one that is not a date' },
  client_assertion_expired: { role: 'launcher', status: 401, meaning: 'the client assertion’s exp has passed' },
  client_assertion_iat_future: { role: 'launcher', status: 401, meaning: 'the client assertion’s iat is in the future, beyond the clock leeway' },
  client_assertion_lifetime: { role: 'launcher', status: 401, meaning: 'the client assertion’s exp is more than an hour after its iat' },
  client_assertion_aud: { role: 'launcher', status: 401, meaning: 'the client assertion’s aud does not contain this token endpoint’s URL' },
  client_assertion_jti: { role: 'launcher', status: 401, meaning: 'the client assertion has no jti, or one that is not a string of 1 to 255 characters' },
  client_assertion_replayed: { role: 'launcher', status: 401, meaning: 'the client assertion’s jti was used already' },
  client_assertion_alg: { role: 'launcher', status: 401, meaning: 'the client assertion is signed with an algorithm outside the allow-list' },
  client_assertion_key_unknown: { role: 'launcher', status: 401, meaning: 'no key of the tool fits the client assertion’s kid and alg' },
  client_assertion_signature_invalid: { role: 'launcher', status: 401, meaning: 'the client assertion’s signature does not verify with the tool’s key' },
  client_jwks_unavailable: { role: 'launcher', status: 401, meaning: 'the tool’s key set URL could not be fetched and no keys are cached' },
  client_jwks_invalid: { role: 'launcher', status: 401, meaning: 'the tool’s key set publishes a private key or two keys under one kid' },
  token_scope_missing: { role: 'launcher', status: 400, meaning: 'a token request asks for no scope' },
  token_scope_invalid: { role: 'launcher', status: 400, meaning: 'a token request asks for no scope the tool is allowed' },

  // The launcher's portal API (roster push, grades), called with a JWT the portal signs.
  portal_token_missing: { role: 'launcher', status: 401, meaning: 'a portal API call carries no Bearer token' },
  portal_token_invalid: { role: 'launcher', status: 401, meaning: 'the portal API token is not a JWT signed by the platform’s context key with iat, exp and a jti (or its iat is in the future)' },
  portal_token_expired: { role: 'launcher', status: 401, meaning: 'the portal API token’s exp has passed' },
  portal_token_lifetime_too_long: { role: 'launcher', status: 401, meaning: 'the portal API token’s exp is more than 300 s after its iat' },
  portal_token_audience_invalid: { role: 'launcher', status: 401, meaning: 'the portal API token’s aud is not the platform’s issuer' },
  portal_token_replayed: { role: 'launcher', status: 401, meaning: 'the portal API token’s jti was used already' },
  portal_keys_missing: { role: 'launcher', status: 401, meaning: 'the platform has no course-context key, so its portal API cannot be called' },

  // Both roles, each for its own step.
  state_missing: {
    role: 'both',
    launcher: { status: 400, meaning: 'the IdP’s answer carries no state' },
    gateway: { status: 400, meaning: 'the LMS’s launch carries no state' },
  },
  state_unknown: {
    role: 'both',
    launcher: { status: 400, meaning: 'the IdP’s answer names no launch in progress' },
    gateway: { status: 401, meaning: 'the launch’s state names no login started here' },
  },
  state_used: {
    role: 'both',
    launcher: { status: 403, meaning: 'the IdP’s answer was used already' },
    gateway: { status: 401, meaning: 'the launch’s login state was used already' },
  },
  state_expired: {
    role: 'both',
    launcher: { status: 401, meaning: 'the IdP’s answer came after the launch’s lifetime' },
    gateway: { status: 401, meaning: 'the launch came after its login state’s lifetime' },
  },
  nonce_missing: {
    role: 'both',
    launcher: { status: 400, meaning: 'the tool’s authentication request has no nonce' },
    gateway: { status: 400, meaning: 'the LMS’s id_token has no nonce' },
  },
  nonce_replayed: {
    role: 'both',
    launcher: { status: 403, meaning: 'the tool reused the nonce of an earlier launch' },
    gateway: { status: 401, meaning: 'the LMS’s id_token carries a nonce seen before' },
  },

  // The gateway: the LMS's login and launch, and the app's redeem.
  login_param_missing: { role: 'gateway', status: 400, meaning: 'the LMS’s login initiation lacks iss, login_hint or target_link_uri' },
  login_param_invalid: { role: 'gateway', status: 400, meaning: 'a login initiation parameter is repeated, too long, or not a frame name' },
  registration_unknown: { role: 'gateway', status: 404, anonymous: true, meaning: 'the login’s iss (and client_id) matches no registration' },
  registration_removed: { role: 'gateway', status: 401, anonymous: true, meaning: 'the registration a login was started for was deleted before its launch came' },
  client_id_required: { role: 'gateway', status: 400, meaning: 'the issuer has several registrations and the login names no client_id' },
  deployment_unknown: { role: 'gateway', status: 403, meaning: 'the login or the id_token names a deployment the registration does not list' },
  target_link_uri_invalid: { role: 'gateway', status: 400, meaning: 'the target_link_uri (login or id_token) is not a launch address of this gateway' },
  target_link_uri_mismatch: { role: 'gateway', status: 400, meaning: 'the id_token’s target_link_uri names another app than the address it was posted to' },
  app_unknown: { role: 'gateway', status: 404, anonymous: true, meaning: 'the launch address names no app, or an app that does not exist' },
  platform_error: { role: 'gateway', status: 400, meaning: 'the LMS answered the authentication request with an error' },
  id_token_missing: { role: 'gateway', status: 400, meaning: 'the launch carries no id_token' },
  id_token_malformed: { role: 'gateway', status: 400, meaning: 'the id_token is not a well-formed signed JWT' },
  state_cookie_mismatch: { role: 'gateway', status: 403, meaning: 'the browser has the gateway’s login cookies, but none for this launch' },
  state_browser_mismatch: { role: 'gateway', status: 401, meaning: 'the launch’s cookie or storage binding belongs to another browser' },
  state_unbound_expired: { role: 'gateway', status: 401, meaning: 'a launch without its login cookie came after two minutes' },
  launch_origin_mismatch: { role: 'gateway', status: 403, meaning: 'a launch without its login cookie was not posted from the registration’s origins' },
  alg_not_allowed: { role: 'gateway', status: 401, meaning: 'the id_token is signed with an algorithm outside the allow-list' },
  alg_key_mismatch: { role: 'gateway', status: 401, meaning: 'the id_token’s alg does not fit the registration’s static key' },
  key_unknown: { role: 'gateway', status: 401, meaning: 'no key of the LMS’s key set fits the id_token’s kid and alg' },
  registration_key_missing: { role: 'gateway', status: 502, meaning: 'the registration has no key to verify launches with' },
  jwks_unavailable: { role: 'gateway', status: 502, meaning: 'the LMS’s key set could not be fetched and none is cached' },
  platform_jwks_invalid: { role: 'gateway', status: 502, meaning: 'the LMS’s key set has two keys of one type under one kid, or private key material' },
  signature_invalid: { role: 'gateway', status: 401, meaning: 'the id_token’s signature does not verify with the LMS’s key' },
  iss_mismatch: { role: 'gateway', status: 401, meaning: 'the id_token’s iss is not the issuer the login came from' },
  aud_mismatch: { role: 'gateway', status: 401, meaning: 'the id_token’s aud does not include the registration’s client_id' },
  azp_missing: { role: 'gateway', status: 401, meaning: 'the id_token has several audiences and no azp' },
  azp_mismatch: { role: 'gateway', status: 401, meaning: 'the id_token’s azp is not the registration’s client_id' },
  token_expired: { role: 'gateway', status: 401, meaning: 'the id_token’s exp has passed' },
  iat_in_future: { role: 'gateway', status: 401, meaning: 'the id_token’s iat is in the future' },
  token_not_yet_valid: { role: 'gateway', status: 401, meaning: 'the id_token’s nbf is in the future' },
  token_too_old: { role: 'gateway', status: 401, meaning: 'the id_token was issued over an hour ago' },
  nonce_mismatch: { role: 'gateway', status: 401, meaning: 'the id_token’s nonce is not the one the login sent' },
  claim_missing: { role: 'gateway', status: 400, meaning: 'a required claim of the id_token is missing' },
  claim_invalid: { role: 'gateway', status: 400, meaning: 'a claim of the id_token has the wrong type' },
  version_unsupported: { role: 'gateway', status: 400, meaning: 'the id_token’s LTI version is not 1.3.0' },
  message_type_unsupported: { role: 'gateway', status: 400, meaning: 'the id_token’s message type is not LtiResourceLinkRequest' },
  deep_linking_not_supported: { role: 'gateway', status: 501, meaning: 'the LMS sent an LtiDeepLinkingRequest, which the gateway does not answer yet' },
  api_key_invalid: { role: 'gateway', status: 401, anonymous: true, meaning: 'the app’s call (the hand-off redeem or the app API) has no valid API key' },
  handoff_unknown: { role: 'gateway', status: 404, meaning: 'the hand-off code is not one of this app’s' },
  handoff_used: { role: 'gateway', status: 410, meaning: 'the hand-off code was redeemed already' },
  handoff_expired: { role: 'gateway', status: 410, meaning: 'the hand-off code expired before it was redeemed' },
  registration_token_endpoint_missing: { role: 'gateway', status: 502, meaning: 'a service of the LMS was needed, but its registration has no token_endpoint' },
  lms_token_refused: { role: 'gateway', status: 502, meaning: 'the LMS’s token endpoint refused the gateway’s token request (its status, error and error_description are passed on)' },
  lms_unavailable: { role: 'gateway', status: 502, meaning: 'the LMS could not be reached or answered something that is not a valid answer' },
  service_claim_invalid: { role: 'gateway', status: 400, meaning: 'the id_token’s AGS endpoint or NRPS claim has the wrong shape (not an object, a URL that is not text, a scope that is not a list)' },

  // The gateway's calls to an LMS's services (AGS, NRPS) for an app.
  lms_refused: { role: 'gateway', status: 502, meaning: 'the LMS answered a service call with an HTTP error (its status and error are passed on)' },

  // The app API: an app's calls for its contexts' rosters and grades (src/tool/actions/appApi/).
  service_context_forbidden: { role: 'gateway', status: 403, meaning: 'an app API URL names a context this app was never launched in (or no context at all: the two are not told apart)' },
  service_scope_not_granted: { role: 'gateway', status: 403, meaning: 'the LMS did not offer, or did not grant, the service or scope an app API call needs; the service is not called' },
  service_line_item_unknown: { role: 'gateway', status: 404, meaning: 'an app API URL names a line item that is not one of this context’s' },
  app_field_invalid: { role: 'gateway', status: 400, meaning: 'a field of an app API call’s body or query is missing, unknown, of the wrong type or out of range (the answer names it in `field`)' },

  // Either role's server.
  not_found: { role: 'both', status: 404, meaning: 'no page or route at this address' },
  request_invalid: { role: 'both', status: 400, frameworkStatus: true, meaning: 'the request is malformed: a NUL character, a value outside the route’s schema, a body that cannot be parsed' },
  request_too_large: { role: 'both', status: 413, meaning: 'the request body is larger than the service accepts' },
  text_has_nul: { role: 'both', status: 400, meaning: 'a verified claim of the IdP (launcher) or the LMS (gateway) holds a NUL character' },
  metrics_unauthorized: { role: 'both', status: 401, meaning: '/metrics was asked without the METRICS_TOKEN' },
  database_unavailable: { role: 'both', status: 503, meaning: 'the database cannot be reached' },
  internal_error: { role: 'both', status: 500, meaning: 'an unexpected error, logged with the request id' },

  // The admin console and API of either role.
  admin_unauthorized: { role: 'admin', status: 401, meaning: 'the admin login is missing or wrong' },
  admin_rate_limited: { role: 'admin', status: 429, meaning: 'too many failed admin logins from this address' },
  admin_disabled: { role: 'admin', status: 403, meaning: 'no ADMIN_PASSWORD is set' },
  csrf_cross_site: { role: 'admin', status: 403, meaning: 'a change was sent from another site' },
  csrf_origin_mismatch: { role: 'admin', status: 403, meaning: 'a change was sent from another origin than the service’s' },
  csrf_token_missing: { role: 'admin', status: 403, meaning: 'a console form came without its security token or cookie' },
  csrf_token_invalid: { role: 'admin', status: 403, meaning: 'a console form’s security token does not belong to this browser session' },
  request_not_json: { role: 'admin', status: 415, meaning: 'an admin API change was not sent as application/json' },
  query_param_repeated: { role: 'admin', status: 400, meaning: 'a launch-log query gives a parameter twice' },
  unknown_fields: { role: 'admin', status: 400, meaning: 'a create or update names fields the resource does not have' },
  validation_failed: { role: 'admin', status: 422, meaning: 'a create or update has invalid fields' },
  launch_not_found: { role: 'admin', status: 404, meaning: 'no launch-log entry has this id' },
  platform_not_found: { role: 'admin', status: 404, meaning: 'no platform has this id' },
  tool_not_found: { role: 'admin', status: 404, meaning: 'no tool has this id' },
  registration_not_found: { role: 'admin', status: 404, meaning: 'no registration has this id' },
  app_not_found: { role: 'admin', status: 404, meaning: 'no app has this id' },
  webhook_delivery_not_found: { role: 'admin', status: 404, meaning: 'the platform has no score webhook delivery with this id that can be retried' },
} as const satisfies Record<string, OneRoleFailure | PerRoleFailure>;

export type FailureCode = keyof typeof FAILURE_CODES;

type Entry<C extends FailureCode> = (typeof FAILURE_CODES)[C];

/** The statuses code `C` may be answered with (a union of codes: any status of any of them). */
export type StatusOf<C extends FailureCode> = C extends FailureCode
  ? Entry<C> extends { readonly frameworkStatus: true } ? number
    : Entry<C> extends { readonly status: infer S } ? S
      : Entry<C> extends { readonly launcher: { readonly status: infer L }; readonly gateway: { readonly status: infer G } } ? L | G
        : never
  : never;

/** The statuses every one of the codes `C` may be answered with; for one code, its own. */
export type SharedStatusOf<C extends FailureCode> =
  (C extends FailureCode ? (status: StatusOf<C>) => void : never) extends (status: infer S extends number) => void ? S : never;

/** The codes that may be answered with status `S`. */
export type CodeWithStatus<S extends number> = { [C in FailureCode]: S extends StatusOf<C> ? C : never }[FailureCode];

/** Whether a code read back (from the launch log, a query, another process) is one of the catalogue. */
export function isFailureCode(code: string): code is FailureCode {
  return Object.hasOwn(FAILURE_CODES, code);
}

/** Whether a failure says the request names nothing this service knows (see `anonymous`); false for a code outside the catalogue. */
export function isAnonymous(code: string): boolean {
  if (!isFailureCode(code)) return false;
  const entry: OneRoleFailure | PerRoleFailure = FAILURE_CODES[code];
  return 'anonymous' in entry && entry.anonymous === true;
}
