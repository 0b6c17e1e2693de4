import { AGS_MEDIA_TYPES } from '../../lti/services/ags.ts';
import { AGS_SCOPES } from '../../lti/services/scopes.ts';
import { eachPage, lmsUnavailable, type LmsClient } from './lmsClient.ts';
import { lineItemServiceUrl } from './lineItems.ts';

/** A user's result on a line item (AGS 2.0 §5), in the app API's shape. */
export interface AppResult {
  user_id: string;
  result_score: number | null;
  /** AGS 2.0 §5.2.7: 1 when the LMS leaves it out. */
  result_maximum: number;
  comment: string | null;
}

/** The results of a line item, every page; `user_id` asks for one user's. */
export async function listResults(client: LmsClient, lineItemUrl: string, query: { user_id?: string } = {}): Promise<{ results: AppResult[]; truncated: boolean }> {
  const url = lineItemServiceUrl(lineItemUrl, 'results');
  if (query.user_id !== undefined) url.searchParams.set('user_id', query.user_id);
  const results: AppResult[] = [];
  const { truncated } = await eachPage(client, { url: url.href, scopes: [AGS_SCOPES.resultReadOnly], accept: AGS_MEDIA_TYPES.resultContainer }, (body, call) => {
    if (!Array.isArray(body)) throw lmsUnavailable(call, 'the answer is not a result container (a JSON array)');
    for (const raw of body) {
      const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
      // A result without its user cannot be told apart: left out.
      if (!r || typeof r.userId !== 'string') continue;
      results.push({
        user_id: r.userId,
        result_score: typeof r.resultScore === 'number' ? r.resultScore : null,
        result_maximum: typeof r.resultMaximum === 'number' ? r.resultMaximum : 1,
        comment: typeof r.comment === 'string' ? r.comment : null,
      });
    }
    return true;
  });
  return { results, truncated };
}
