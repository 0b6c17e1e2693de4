import { LtiError } from '../../lti/errors.ts';

/** What an LMS answered, as passed on to the app: its HTTP status and its own `error` / `error_description`, cut short. */
export interface LmsAnswer {
  status: number | null;
  error: string | null;
  errorDescription: string | null;
}

export type LmsFailureCode = 'lms_token_refused' | 'lms_unavailable';

/**
 * A failure of a call to an LMS: the gateway's stable code (502 either way: the app did nothing
 * wrong) with the LMS's own answer beside it. The LMS's words are `said` too, so an error page
 * shows them apart from ours, marked as the LMS's.
 */
export class LmsError extends LtiError<LmsFailureCode> {
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

  /** The fields an app's JSON answer carries beside `error` (issue 17's contract). */
  lmsFields(): { lms_status: number | null; lms_error: string | null; lms_error_description: string | null } {
    return { lms_status: this.lms.status, lms_error: this.lms.error, lms_error_description: this.lms.errorDescription };
  }
}
