import type { CodeWithStatus, FailureCode, SharedStatusOf } from './failureCodes.ts';

/**
 * The one error type of the service. A stable `code` names each failure; it is the key of the
 * launch log, the metrics label and the troubleshooting section of the README, and it is one of
 * the catalogue (src/lti/failureCodes.ts), whose status for it the compiler holds `status` to.
 * `message` is a sentence a person understands; `detail` may add a technical cause for operators.
 */
export class LtiError<C extends FailureCode = FailureCode> extends Error {
  readonly code: FailureCode;
  readonly status: number;
  /** Names shown on the error page (which tool, which platform), set by the flow that failed. */
  context?: { tool?: string | null; platform?: string | null };
  /**
   * What the request (or the IdP or LMS answering through it) sent that this failure is about:
   * name → value as received. Never part of `message`, which is only our own words: the error page
   * shows these apart, marked as unchecked and cut short, so a request cannot put a sentence of its
   * choosing ("your account is locked, call …") into a page on a trusted origin.
   */
  said?: Readonly<Record<string, string>>;

  constructor(
    code: C,
    status: SharedStatusOf<C>,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'LtiError';
    this.code = code;
    this.status = status;
  }

  /**
   * Fields a JSON answer carries beside `error`, `message` and `request_id` (an LMS's status and
   * words, the field an app got wrong); none by default.
   */
  answerFields(): Record<string, unknown> {
    return {};
  }

  /** Adds request-supplied values to `said` (absent ones are left out); returns the error, to be thrown. */
  saying(values: Record<string, string | null | undefined>): this {
    const said: Record<string, string> = { ...this.said };
    for (const [name, value] of Object.entries(values)) if (typeof value === 'string') said[name] = value;
    this.said = said;
    return this;
  }
}

export const badRequest = (code: CodeWithStatus<400>, message: string, detail?: string) => new LtiError(code, 400, message, detail);
export const unauthorized = (code: CodeWithStatus<401>, message: string, detail?: string) => new LtiError(code, 401, message, detail);
export const forbidden = (code: CodeWithStatus<403>, message: string, detail?: string) => new LtiError(code, 403, message, detail);
export const notFound = (code: CodeWithStatus<404>, message: string, detail?: string) => new LtiError(code, 404, message, detail);
export const badGateway = (code: CodeWithStatus<502>, message: string, detail?: string) => new LtiError(code, 502, message, detail);
export const unavailable = (code: CodeWithStatus<503>, message: string, detail?: string) => new LtiError(code, 503, message, detail);
