import type { AuthRequest } from '../../../lti/authRequest.ts';
import type { LoginHint } from '../../model/loginHints.ts';
import type { LauncherContext } from '../context.ts';

/** `GET|POST /auth`: a tool's authentication request (Security Framework §5.1.1.2). */
export interface AuthContext extends LauncherContext {
  /** The query (GET) or form body (POST) as sent. */
  params: unknown;
  auth?: AuthRequest;
  redirectUri?: string;
  hint?: LoginHint;
  nonce?: string;
  idToken?: string;
}
