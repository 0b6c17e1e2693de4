import { AGS_MEDIA_TYPES, type ActivityProgress, type GradingProgress } from '../../lti/services/ags.ts';
import { AGS_SCOPES } from '../../lti/services/scopes.ts';
import { callLms, type LmsCall, type LmsClient } from './lmsClient.ts';
import { LmsError } from './lmsError.ts';
import { lineItemServiceUrl } from './lineItems.ts';

/** A score as an app sends it (checked by the app API before any call); the gateway adds the timestamp. */
export interface AppScore {
  user_id: string;
  score_given?: number | null;
  score_maximum?: number | null;
  comment?: string | null;
  activity_progress: ActivityProgress;
  grading_progress: GradingProgress;
}

/** What the app is told of a score the LMS accepted: any 2xx (Moodle 200, Canvas 200 `{resultUrl}`, others 201/202/204). */
export interface ScoreSent {
  ok: true;
  /** The timestamp sent, ISO 8601 with milliseconds. */
  timestamp: string;
  lms_status: number;
  /** The LMS's JSON answer, or null. */
  lms_answer: unknown;
}

/** The source of score timestamps (src/tool/model/scoreTimestamps.ts): epoch ms, strictly increasing per line item and user. */
export interface ScoreStamps {
  next(lineItemUrl: string, userId: string, notBefore?: number): Promise<number>;
}

export interface ScoreOptions {
  /** How to wait for the next second (tests may count the waits). */
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * POSTs a score to `{lineitem}/scores` (AGS 2.0 §4.3, the line item's query string kept) with the
 * gateway's timestamp. Moodle compares timestamps in whole seconds and answers 409 to a second
 * score within the same second as the last (gradebookservices scores.php): on a 409 the gateway
 * waits for the second after the refused timestamp and sends once more with a new one.
 */
export async function postScore(client: LmsClient, lineItemUrl: string, score: AppScore, stamps: ScoreStamps, options: ScoreOptions = {}): Promise<ScoreSent> {
  const url = lineItemServiceUrl(lineItemUrl, 'scores').href;
  const send = async (notBefore?: number) => {
    const ms = await stamps.next(lineItemUrl, score.user_id, notBefore);
    const timestamp = new Date(ms).toISOString();
    const call: LmsCall = {
      method: 'POST',
      url,
      scopes: [AGS_SCOPES.score],
      accept: 'application/json',
      contentType: AGS_MEDIA_TYPES.score,
      body: scoreBody(score, timestamp),
    };
    try {
      const answer = await callLms(client, call);
      return { ms, sent: { ok: true, timestamp, lms_status: answer.status, lms_answer: answer.body } as ScoreSent };
    } catch (err) {
      if (err instanceof LmsError && err.code === 'lms_refused' && err.lms.status === 409) return { ms, conflict: err };
      throw err;
    }
  };
  const first = await send();
  if (first.sent) return first.sent;
  const nextSecond = (Math.floor(first.ms / 1000) + 1) * 1000;
  const delay = nextSecond - Date.now();
  if (delay > 0) await (options.sleep ?? wait)(delay);
  const second = await send(nextSecond);
  if (second.sent) return second.sent;
  throw second.conflict;
}

function scoreBody(score: AppScore, timestamp: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    userId: score.user_id,
    activityProgress: score.activity_progress,
    gradingProgress: score.grading_progress,
    timestamp,
  };
  if (score.score_given !== undefined && score.score_given !== null) body.scoreGiven = score.score_given;
  if (score.score_maximum !== undefined && score.score_maximum !== null) body.scoreMaximum = score.score_maximum;
  // AGS 2.0 §4.3.6: a score without a comment clears the stored one, so only a given comment is sent.
  if (score.comment !== undefined && score.comment !== null) body.comment = score.comment;
  return body;
}
