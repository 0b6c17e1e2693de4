import { badRequest } from './errors.ts';

/**
 * Third-party initiated login (LTI Core 1.3 §4.1, OIDC third-party initiated login): reading the
 * platform's request and building the authentication request the tool sends back.
 */
export interface LoginRequest {
  iss: string;
  loginHint: string;
  targetLinkUri: string;
  ltiMessageHint: string | null;
  clientId: string | null;
  deploymentId: string | null;
  /** Frame name of the platform's storage (LTI Client Side postMessages), when offered. */
  storageTarget: string | null;
}

export function readLoginRequest(params: Record<string, unknown>): LoginRequest {
  const text = (name: string): string | null => {
    const value = params[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string' || value.length > 4096) {
      throw badRequest('login_param_invalid', `The login parameter "${name}" must be a single text value.`);
    }
    return value;
  };
  // The frame name of the platform's storage is kept with the login state: a frame name, never a long text.
  const frameName = (name: string): string | null => {
    const value = text(name);
    if (value !== null && (value.length > 256 || /[\u0000-\u001f\u007f]/.test(value))) {
      throw badRequest('login_param_invalid', `The login parameter "${name}" must be a frame name of at most 256 characters.`);
    }
    return value;
  };
  const required = (name: string): string => {
    const value = text(name);
    if (value === null) throw badRequest('login_param_missing', `The platform's login request has no "${name}" parameter.`);
    return value;
  };
  return {
    iss: required('iss'),
    loginHint: required('login_hint'),
    targetLinkUri: required('target_link_uri'),
    ltiMessageHint: text('lti_message_hint'),
    clientId: text('client_id'),
    deploymentId: text('lti_deployment_id'),
    storageTarget: frameName('lti_storage_target'),
  };
}
