/**
 * How the tests read a refusal, from either role: the error page a person sees or the JSON a
 * program gets, each with the code of the failure (src/web/errorPage.ts renders both).
 */
import { expect } from 'vitest';

/** A refusal as read from its answer: the status, the body, the code it names and its request id. */
export interface RefusalPage {
  status: number;
  body: string;
  requestId: string | null;
  /** The page's "Error code", or the JSON's `error`; undefined when the answer names none. */
  code: string | undefined;
  contentType: string;
}

/** The code as the error pages show it: the roles' pages (span.code) and the console's (code). */
const ERROR_CODE = /Error code(?:<\/dt><dd>|: )(?:<span class="code">|<code>)([^<]*)</;

/** The person's view of an error page (or a program's of the JSON): its status, the code and request id on it. */
export async function errorPage(response: Response): Promise<RefusalPage> {
  const body = await response.text();
  return {
    status: response.status,
    body,
    requestId: response.headers.get('x-request-id'),
    code: ERROR_CODE.exec(body)?.[1] ?? (safeJson(body)?.error as string | undefined),
    contentType: response.headers.get('content-type') ?? '',
  };
}

export interface RefusalExpectations {
  /** The answer's kind: the HTML error page, or the JSON error body. */
  shape?: 'page' | 'json';
  /** The answer shows the request id it was sent with (x-request-id). */
  requestId?: boolean;
}

/** Lines of a stack trace, in the forms Node and our .ts sources write them. */
const STACK_TRACE = /\bat [\w.<>]+ \(.*:\d+:\d+\)|at .*\.ts:\d+|node_modules/;

/**
 * A refusal: this status (or one of these), naming this code (or one of these, or one matching),
 * and never a stack trace. Returns the body.
 */
export async function expectRefused(
  answer: Response | RefusalPage,
  status: number | number[],
  code: string | string[] | RegExp,
  options: RefusalExpectations = {},
): Promise<string> {
  const page = answer instanceof Response ? await errorPage(answer) : answer;
  expect(Array.isArray(status) ? status : [status], `${page.status} ${page.body.slice(0, 400)}`).toContain(page.status);
  if (code instanceof RegExp) expect(page.code, page.body.slice(0, 400)).toMatch(code);
  else expect(Array.isArray(code) ? code : [code], page.body.slice(0, 400)).toContain(page.code);
  expect(page.body).not.toMatch(STACK_TRACE);
  if (options.shape === 'page') expect(page.contentType).toMatch(/^text\/html/);
  if (options.shape === 'json') expect(page.contentType).toMatch(/^application\/json/);
  if (options.requestId) {
    expect(page.requestId).toBeTruthy();
    expect(page.body).toContain(page.requestId!);
  }
  return page.body;
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
