import { LmsError } from './lmsError.ts';
import { nextPageUrl } from './linkHeader.ts';

/**
 * One call of the gateway to an LMS service (AGS, NRPS), the part every client shares: a bearer
 * token for the call's scopes, one retry with a fresh token on a 401 (the LMS may have ended the
 * token before its `expires_in`), and every failure an LmsError of one of two codes — `lms_unavailable`
 * (no usable answer) or `lms_refused` (an HTTP error, with the LMS's own status and words). Pure HTTP
 * through the fetch it is given (the server's outboundFetch with the URL policy).
 */
export interface LmsClient {
  fetch: typeof fetch;
  /** An access token of the LMS for these scopes (the token client's, cached). */
  getToken(scopes: string[]): Promise<string>;
  /**
   * Forgets the token of these scopes after the LMS refused it with a 401 (given the refused token,
   * so a newer one another instance got stays); getToken is then asked again.
   */
  invalidate?(scopes: string[], refusedToken: string): Promise<void> | void;
  /** How long one request may take; 10 s by default. */
  timeoutMs?: number;
}

export interface LmsCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  scopes: string[];
  accept: string;
  contentType?: string;
  body?: unknown;
}

export interface LmsAnswer {
  status: number;
  headers: Headers;
  /** The JSON answer; null for an empty one. */
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * No usable answer: not reached, timed out, not JSON, not the shape the service defines. `status`
 * is the LMS's when it answered at all.
 */
export function lmsUnavailable(call: Pick<LmsCall, 'method' | 'url'>, reason: string, status: number | null = null): LmsError {
  return new LmsError('lms_unavailable', 'The course platform could not be reached, or its answer could not be used. Try again in a few minutes.',
    { status, error: null, errorDescription: null }, `${call.method} ${call.url}: ${reason}`);
}

export async function callLms(client: LmsClient, call: LmsCall): Promise<LmsAnswer> {
  const token = await client.getToken(call.scopes);
  let response = await send(client, call, token);
  if (response.status === 401) {
    await client.invalidate?.(call.scopes, token);
    response = await send(client, call, await client.getToken(call.scopes));
  }
  const text = await response.text().catch(() => null);
  if (text === null) throw lmsUnavailable(call, 'the answer could not be read');
  if (response.status >= 400) {
    throw LmsError.refused('lms_refused', `The course platform refused the request (HTTP ${response.status}).`,
      { status: response.status, contentType: response.headers.get('content-type'), body: text }, `${call.method} ${call.url} answered HTTP ${response.status}`);
  }
  if (response.status < 200 || response.status >= 300) throw lmsUnavailable(call, `unexpected HTTP ${response.status}`, response.status);
  if (text.trim() === '') return { status: response.status, headers: response.headers, body: null };
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  } catch {
    throw lmsUnavailable(call, `HTTP ${response.status} with an answer that is not JSON (${response.headers.get('content-type') ?? 'no content-type'})`, response.status);
  }
}

async function send(client: LmsClient, call: LmsCall, token: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: call.accept };
  if (call.contentType) headers['content-type'] = call.contentType;
  try {
    return await client.fetch(call.url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      redirect: 'error',
      signal: AbortSignal.timeout(client.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    const why = cause instanceof Error ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
    throw lmsUnavailable(call, why);
  }
}

/** Bounds on following `rel="next"`: an LMS that pages forever (or in tiny pages) cannot hold a call. */
export const MAX_PAGES = 100;

/**
 * Every page of a paged GET, following `rel="next"` (AGS 2.0 §3.2.4, NRPS 2.0 §2.4.2) until there
 * is none, at most `maxPages`: `take` reads a page and says whether more are wanted. A next page
 * on another origin is refused: the token would go to a host the launch never named.
 */
export async function eachPage(
  client: LmsClient,
  first: Omit<LmsCall, 'method'>,
  take: (body: unknown, call: LmsCall) => boolean,
  maxPages = MAX_PAGES,
): Promise<{ truncated: boolean; pages: number }> {
  let call: LmsCall = { ...first, method: 'GET' };
  const origin = new URL(first.url).origin;
  for (let pages = 1; ; pages += 1) {
    const answer = await callLms(client, call);
    const wantsMore = take(answer.body, call);
    const next = nextPageUrl(answer.headers.get('link'), call.url);
    if (next === null) return { truncated: false, pages };
    if (!wantsMore || pages >= maxPages) return { truncated: true, pages };
    if (new URL(next).origin !== origin) throw lmsUnavailable(call, `its next page is on another origin (${new URL(next).origin})`);
    call = { ...call, url: next };
  }
}
