/**
 * The `rel="next"` target of an HTTP Link header (RFC 8288 §3), as LMSs send it: several links in
 * one header or in several (fetch joins them with ", "), several rels in one (`rel="next last"`),
 * any case, odd spacing, an unquoted value, and Moodle's typographic quotes (`rel=“next”`), with a
 * URL relative to the page it came with. Commas inside `<…>` or a quoted value do not split links
 * (the ltijs#46 and pylti1.3#45 kind of bug). The URL is resolved, never rewritten otherwise: its
 * case is the LMS's (pylti1.3 lowercased it and broke cursors).
 */
export function nextPageUrl(header: string | null, pageUrl: string): string | null {
  if (!header) return null;
  for (const link of parseLinks(utf8Header(header))) {
    if (!link.rels.includes('next')) continue;
    try {
      return new URL(link.target, pageUrl).href;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Node reads header bytes as Latin-1, so Moodle's UTF-8 “ and ” arrive as three characters each
 * (`â\x80\x9c`): read them back as UTF-8 when that is what they are.
 */
function utf8Header(header: string): string {
  if (!/[\u0080-\u00ff]/.test(header) || /[^\u0000-\u00ff]/.test(header)) return header;
  const decoded = Buffer.from(header, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? header : decoded;
}

interface Link {
  target: string;
  rels: string[];
}

const OPEN_QUOTES = '"“”';
const closeQuoteOf = (open: string) => (open === '“' ? '”' : open);

function parseLinks(header: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  while (i < header.length) {
    const open = header.indexOf('<', i);
    if (open < 0) break;
    const close = header.indexOf('>', open + 1);
    if (close < 0) break;
    const target = header.slice(open + 1, close).trim();
    // The parameters run to the next comma outside quotes, or the end.
    let j = close + 1;
    let quote: string | null = null;
    while (j < header.length) {
      const c = header[j]!;
      if (quote !== null) {
        if (c === quote) quote = null;
      } else if (OPEN_QUOTES.includes(c)) {
        quote = closeQuoteOf(c);
      } else if (c === ',') {
        break;
      }
      j += 1;
    }
    links.push({ target, rels: relsOf(header.slice(close + 1, j)) });
    i = j + 1;
  }
  return links;
}

/** The rel values of a link's parameters (`; rel = "next last"`), lowercased (RFC 8288 §2.1.1: compared case-insensitively). */
function relsOf(params: string): string[] {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
    const value = param.slice(eq + 1).trim().replace(/^["“”]|["“”]$/g, '');
    return value.toLowerCase().split(/\s+/).filter((r) => r.length > 0);
  }
  return [];
}
