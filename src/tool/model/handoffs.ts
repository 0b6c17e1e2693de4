import type { SecretBox } from '../../keys/secretBox.ts';
import type { LaunchSummary } from '../launchSummary.ts';
import { consumeOnce } from '../../store/consumeOnce.ts';
import type { Db } from '../../store/db.ts';
import { hashSecret } from '../apiKeys.ts';
import { secret } from './loginStates.ts';

/** A hand-off code is valid this long: the browser is redirected at once and the app redeems it at once. */
export const HANDOFF_TTL_MS = 60_000;

export type RedeemResult =
  | { ok: true; launchId: string; summary: LaunchSummary }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * One-time hand-off codes: the code travels in the browser's redirect to the app, its hash is
 * stored, and the launch it stands for is encrypted at rest until the app redeems it.
 */
export class Handoffs {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async create(appId: string, launchId: string, summary: LaunchSummary): Promise<string> {
    const code = secret();
    await this.db
      .insertInto('handoffs')
      .values({
        code_hash: hashSecret(code),
        app_id: appId,
        payload: await this.box.seal(JSON.stringify({ launchId, summary })),
        expires_at: Date.now() + HANDOFF_TTL_MS,
        used_at: null,
      })
      .execute();
    return code;
  }

  /**
   * Redeems a code for one app, atomically. A code of another app is reported as unknown, so a
   * key can learn nothing about codes that are not its own (and does not burn them).
   */
  async redeem(appId: string, code: string, now = Date.now()): Promise<RedeemResult> {
    // Checked and used up in one statement; only a refusal reads the row again, to say why.
    const used = await consumeOnce(this.db, 'handoffs', hashSecret(code), { now, scope: { app_id: [appId] } });
    if (used.ok) {
      const { launchId, summary } = JSON.parse(await this.box.open(used.row.payload)) as { launchId: string; summary: LaunchSummary };
      return { ok: true, launchId, summary };
    }
    // Another app's code is "unknown" to this key (out of scope): it learns nothing about it, and does not burn it.
    return { ok: false, reason: used.reason === 'unbound' ? 'unknown' : used.reason };
  }
}
