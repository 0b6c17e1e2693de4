import { LtiError, badRequest } from '../errors.ts';

/**
 * Assignment and Grade Services 2.0: the claim, the media types and the shapes of what a tool
 * sends (line items, scores), read strictly. Pure: no HTTP, no database.
 */
export const AGS_ENDPOINT_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';

/** AGS 2.0 §3.2, §4.2, §5.2: the media type of each resource. */
export const AGS_MEDIA_TYPES = {
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
} as const;

export type AgsMediaType = (typeof AGS_MEDIA_TYPES)[keyof typeof AGS_MEDIA_TYPES];

/** AGS 2.0 §3.2.1 `{scope, lineitems, lineitem?}`, the claim a launch carries. */
export interface AgsEndpointClaim {
  scope: string[];
  lineitems: string;
  lineitem?: string;
}

/** AGS 2.0 §4.4 activityProgress and gradingProgress: the values a score may carry. */
export const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] as const;
export const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] as const;
export type ActivityProgress = (typeof ACTIVITY_PROGRESS)[number];
export type GradingProgress = (typeof GRADING_PROGRESS)[number];

/** Whether a Content-Type header names `type` (parameters such as charset ignored, case-insensitive). */
export function contentTypeIs(header: string | undefined, type: AgsMediaType): boolean {
  if (!header) return false;
  return header.split(';')[0]!.trim().toLowerCase() === type;
}

/**
 * Whether an Accept header lets us answer `type` (RFC 9110 §12.5.1): no header, `*\/*`,
 * `application/*`, the type itself, or `application/json` — each AGS type is JSON (its `+json`
 * suffix, RFC 6839 §3.1), and tool libraries ask for it (ltijs creates line items with
 * `Accept: application/json`) — unless its `q` is 0.
 */
export function acceptAllows(header: string | undefined, type: AgsMediaType): boolean {
  if (header === undefined || header.trim() === '') return true;
  return header.split(',').some((range) => {
    const [name, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (name !== '*/*' && name !== 'application/*' && name !== 'application/json' && name !== type) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** A line item as a tool sends it (AGS 2.0 §3.2): what we store of it. */
export interface LineItemInput {
  label: string;
  scoreMaximum: number;
  resourceLinkId: string | null;
  resourceId: string | null;
  tag: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
}

/** What a score says (AGS 2.0 §4.3): who, how much, and when, the timestamp as sent. */
export interface ScoreFields {
  userId: string;
  scoreGiven: number | null;
  scoreMaximum: number | null;
  comment: string | null;
  activityProgress: ActivityProgress;
  gradingProgress: GradingProgress;
  timestamp: string;
}

/** A score as a tool sends it, its timestamp also as microseconds since the epoch (the order of scores). */
export interface ScoreInput extends ScoreFields {
  timestampMicros: number;
}

const MAX_TEXT = 1024;
const MAX_COMMENT = 10_000;

/** The body as JSON: an object, or a 400 `ags_body_malformed`. */
export function parseJsonObject(body: unknown): Record<string, unknown> {
  let value: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      throw badRequest('ags_body_malformed', 'The body is not valid JSON.');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('ags_body_malformed', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function fieldError(code: 'line_item_field_invalid' | 'score_field_invalid', field: string, rule: string): LtiError {
  return badRequest(code, `The field "${field}" ${rule}.`, `field: ${field}`);
}

function optionalText(body: Record<string, unknown>, field: string, code: 'line_item_field_invalid' | 'score_field_invalid', max = MAX_TEXT): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw fieldError(code, field, `must be a string of at most ${max} characters`);
  return value;
}

/**
 * AGS 2.0 §3.2: `label` (not blank) and `scoreMaximum` (a number above 0) are required; `resourceLinkId`,
 * `resourceId`, `tag` are strings; `startDateTime` and `endDateTime` ISO 8601 date-times. `id` and
 * unknown fields are ignored (the platform names the item).
 */
export function readLineItem(body: Record<string, unknown>): LineItemInput {
  const code = 'line_item_field_invalid';
  const label = body.label;
  if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_TEXT) throw fieldError(code, 'label', 'is required: a string that is not blank');
  const scoreMaximum = body.scoreMaximum;
  if (typeof scoreMaximum !== 'number' || !Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
    throw fieldError(code, 'scoreMaximum', 'is required: a number above 0');
  }
  const dateTime = (field: string) => {
    const value = optionalText(body, field, code);
    if (value !== null && parseIsoDateTime(value) === null) throw fieldError(code, field, 'must be an ISO 8601 date-time with a time zone');
    return value;
  };
  return {
    label,
    scoreMaximum,
    resourceLinkId: optionalText(body, 'resourceLinkId', code),
    resourceId: optionalText(body, 'resourceId', code),
    tag: optionalText(body, 'tag', code),
    startDateTime: dateTime('startDateTime'),
    endDateTime: dateTime('endDateTime'),
  };
}

/**
 * AGS 2.0 §4.3: `userId`, `timestamp` (ISO 8601, sub-second precision allowed), `activityProgress`
 * and `gradingProgress` are required; `scoreGiven` is a number ≥ 0 and needs `scoreMaximum` (> 0);
 * `scoreGiven` above `scoreMaximum` is allowed (extra credit). A missing `comment` or `scoreGiven`
 * is a cleared one.
 */
export function readScore(body: Record<string, unknown>): ScoreInput {
  const code = 'score_field_invalid';
  const userId = body.userId;
  if (typeof userId !== 'string' || userId === '' || userId.length > 255) throw fieldError(code, 'userId', 'is required: the user’s LTI id (the sub of their launch)');
  const timestamp = body.timestamp;
  const timestampMicros = typeof timestamp === 'string' ? parseIsoDateTime(timestamp) : null;
  if (typeof timestamp !== 'string' || timestampMicros === null) throw fieldError(code, 'timestamp', 'is required: an ISO 8601 date-time with a time zone');
  const activityProgress = body.activityProgress;
  if (!ACTIVITY_PROGRESS.includes(activityProgress as ActivityProgress)) throw fieldError(code, 'activityProgress', `is required: one of ${ACTIVITY_PROGRESS.join(', ')}`);
  const gradingProgress = body.gradingProgress;
  if (!GRADING_PROGRESS.includes(gradingProgress as GradingProgress)) throw fieldError(code, 'gradingProgress', `is required: one of ${GRADING_PROGRESS.join(', ')}`);
  const number = (field: string, rule: (n: number) => boolean, says: string) => {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule(value)) throw fieldError(code, field, says);
    return value;
  };
  const scoreGiven = number('scoreGiven', (n) => n >= 0, 'must be a number of at least 0');
  const scoreMaximum = number('scoreMaximum', (n) => n > 0, 'must be a number above 0');
  if (scoreGiven !== null && scoreMaximum === null) throw fieldError(code, 'scoreMaximum', 'is required with scoreGiven');
  return {
    userId,
    scoreGiven,
    scoreMaximum,
    comment: optionalText(body, 'comment', code, MAX_COMMENT),
    activityProgress: activityProgress as ActivityProgress,
    gradingProgress: gradingProgress as GradingProgress,
    timestamp,
    timestampMicros,
  };
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * An ISO 8601 date-time with a time zone (`Z`, `+00:00`, `+0000` or `+00`), its fraction of a
 * second kept to the microsecond: microseconds since the epoch, or null. Date.parse would keep
 * milliseconds only, and accept forms that are not ISO 8601.
 */
export function parseIsoDateTime(text: string): number | null {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const month = Number(mo) - 1;
  const ms = Date.UTC(Number(y), month, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCMonth() !== month || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone!.toUpperCase() !== 'Z') {
    const sign = zone![0] === '-' ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  const micros = Number((fraction ?? '').padEnd(6, '0').slice(0, 6));
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}
