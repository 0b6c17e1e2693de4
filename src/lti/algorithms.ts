/**
 * The signature algorithms this service accepts, one list per kind of token, in one place. None
 * has `none` or an HMAC algorithm: a shared secret would let whoever holds it sign (Security
 * Framework §5.1.3 step 1, §6.1). They differ on purpose.
 */

/**
 * A platform's id_token at the gateway (Security Framework §6.1 names RS256; LMSs sign RS256, a
 * few PS256 or ES256): the RSA and ECDSA algorithms an LMS may use.
 */
export const LTI_ID_TOKEN_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'];

/**
 * A portal's course-context JWT at the launcher: the portal is a web application of the school's
 * own, so any asymmetric algorithm jose verifies is accepted, EdDSA and ES384 included.
 */
export const CONTEXT_JWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/**
 * A tool's client assertion at the launcher's token endpoint (Security Framework §4.1.1, RFC 7523):
 * the same RSA and ECDSA algorithms as an LMS's id_token — what LTI tool libraries sign with. The
 * discovery document advertises this list (token_endpoint_auth_signing_alg_values_supported).
 */
export const CLIENT_ASSERTION_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'];
