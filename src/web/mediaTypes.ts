/**
 * HTTP content negotiation for the JSON services (RFC 9110 §12.5.1): which of the media types a
 * service answers with fits the request's Accept header best. Parameters other than `q` are
 * ignored (AGS and NRPS match media types without them); a range with `q=0` refuses a type.
 */
export function negotiate(accept: string | undefined, offered: readonly string[]): string | null {
  if (!accept || accept.trim() === '') return offered[0] ?? null;
  const ranges = accept.split(',').map(parseRange).filter((r): r is Range => r !== null);
  let best: { type: string; q: number } | null = null;
  for (const type of offered) {
    const q = qualityOf(type.toLowerCase(), ranges);
    if (q > 0 && (!best || q > best.q)) best = { type, q };
  }
  return best?.type ?? null;
}

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(part: string): Range | null {
  const [range, ...params] = part.split(';').map((p) => p.trim());
  const match = /^([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)$/i.exec(range ?? '');
  if (!match) return null;
  let q = 1;
  for (const param of params) {
    const qMatch = /^q=([01](?:\.\d{0,3})?)$/i.exec(param);
    if (qMatch) q = Math.min(1, Number(qMatch[1]));
  }
  return { type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), q };
}

/** The quality the most specific matching range gives a type (0: no range matches). */
function qualityOf(mediaType: string, ranges: Range[]): number {
  const [type, subtype] = mediaType.split('/');
  let specificity = -1;
  let q = 0;
  for (const r of ranges) {
    const s = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (s > specificity) {
      specificity = s;
      q = r.q;
    }
  }
  return q;
}
