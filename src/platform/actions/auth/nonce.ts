import { checkNoncePresent } from '../../../lti/authRequest.ts';
import { forbidden } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

export const checkNonce: Step<AuthContext> = {
  name: 'check_nonce',
  spec: 'Security Framework §5.1.1.2 (nonce)',
  codes: ['nonce_missing'],
  run(ctx) {
    ctx.nonce = checkNoncePresent(ctx.auth!);
  },
};

/** A tool's nonce is remembered until every id_token that could carry it has long expired. */
export const useNonce: Step<AuthContext> = {
  name: 'use_nonce',
  spec: 'Security Framework §5.1.1.2 (nonce used once)',
  codes: ['nonce_replayed'],
  async run(ctx) {
    const { config } = ctx.launcher.services;
    const fresh = await ctx.launcher.nonces.use(`platform:${ctx.tool!.id}`, ctx.nonce!, Date.now() + 2 * config.idTokenLifetimeSeconds * 1000);
    if (!fresh) throw forbidden('nonce_replayed', 'The tool reused a nonce of an earlier launch; this launch was refused to prevent a replay.');
  },
};
