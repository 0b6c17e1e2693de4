/**
 * The values a failed request sent (LtiError `said`), as every answer shows them: the error page's
 * "the request said" block, the JSON error's `said` member and the launch log's detail. Each value
 * is cut to SAID_MAX_LENGTH characters, so a request can never fill a page, and stripped of control
 * and bidirectional-override characters, so it cannot lay itself out as something else.
 */

/** The most characters of one value shown back (about a line of the page). */
export const SAID_MAX_LENGTH = 120;

/** C0 controls but tab, DEL and C1 controls; the bidirectional embeddings, overrides and isolates. */
const HIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface SaidValue {
  name: string;
  /** The value as shown: at most SAID_MAX_LENGTH characters. */
  value: string;
  cut: boolean;
  /** How many characters the request sent. */
  sentLength: number;
}

/** The values in the order the failure named them, each cleaned and cut. */
export function shownSaid(said: Readonly<Record<string, string>> | undefined): SaidValue[] {
  return Object.entries(said ?? {}).map(([name, sent]) => {
    const clean = sent.replace(HIDDEN, '\uFFFD');
    if (clean.length <= SAID_MAX_LENGTH) return { name, value: clean, cut: false, sentLength: sent.length };
    // Never half of a surrogate pair.
    const end = /[\ud800-\udbff]/.test(clean[SAID_MAX_LENGTH - 1]) ? SAID_MAX_LENGTH - 1 : SAID_MAX_LENGTH;
    return { name, value: clean.slice(0, end), cut: true, sentLength: sent.length };
  });
}

/** A cut value written as text: marked like the launch log marks its cut texts. */
const asText = (v: SaidValue) => (v.cut ? `${v.value}… (cut)` : v.value);

/** The JSON error's `said` member, or undefined when the request is not quoted. */
export function saidJson(said: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  const shown = shownSaid(said);
  return shown.length === 0 ? undefined : Object.fromEntries(shown.map((v) => [v.name, asText(v)]));
}

/**
 * A failure's detail for the launch log and the refusal log line: its own detail, then what the
 * request said, so an admin still sees what was sent (the store cuts the whole detail again).
 */
export function detailWithSaid(detail: string | undefined, said: Readonly<Record<string, string>> | undefined): string | undefined {
  const shown = shownSaid(said);
  if (shown.length === 0) return detail;
  const quoted = `the request said: ${shown.map((v) => `${v.name}=${JSON.stringify(asText(v))}`).join(', ')}`;
  return detail ? `${detail}; ${quoted}` : quoted;
}
