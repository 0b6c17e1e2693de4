import { LtiError } from '../../lti/errors.ts';
import { lmsErrorOf } from '../../lti/services/lmsErrorAnswer.ts';

/** What an LMS answered, as passed on to the app: its HTTP status and its own `error` / `error_description`, cut short. */
export interface LmsAnswer {
  status: number | null;
  error: string | null;
  errorDescription: string | null;
}

/**
 * The gateway's codes for a call to an LMS that failed, 502 each (the app did nothing wrong):
 * `lms_token_refused` — the token endpoint refused the gateway; `lms_refused` — a service answered
 * with an HTTP error; `lms_unavailable` — no usable answer at all (not reached, timed out, not JSON).
 */
export type LmsFailureCode = 'lms_token_refused' | 'lms_refused' | 'lms_unavailable';

/** The fields an app's JSON answer carries beside `error` (issue 17's contract). */
export interface LmsFields {
  lms_status: number | null;
  lms_error: string | null;
  lms_error_description: string | null;
}

/**
 * A failure of a call to an LMS, from the token client or a service client: the gateway's stable
 * code with the LMS's own answer beside it. The LMS's words are `said` too, so an error page shows
 * them apart from ours, marked as the LMS's.
 */
export class LmsError extends LtiError<LmsFailureCode> {
  declare readonly code: LmsFailureCode;

  constructor(
    code: LmsFailureCode,
    message: string,
    readonly lms: LmsAnswer,
    detail?: string,
  ) {
    super(code, 502, message, detail);
    this.saying({
      lms_status: lms.status === null ? null : String(lms.status),
      lms_error: lms.error,
      lms_error_description: lms.errorDescription,
    });
  }

  /** A refusal with the LMS's status and the words of its error body (lmsErrorOf: JSON, a form or text). */
  static refused(
    code: 'lms_token_refused' | 'lms_refused',
    message: string,
    answer: { status: number; contentType: string | null; body: string },
    detail?: string,
  ): LmsError {
    return new LmsError(code, message, { status: answer.status, ...lmsErrorOf(answer) }, detail);
  }

  lmsFields(): LmsFields {
    return { lms_status: this.lms.status, lms_error: this.lms.error, lms_error_description: this.lms.errorDescription };
  }

  override answerFields(): Record<string, unknown> {
    return { ...this.lmsFields() };
  }
}
