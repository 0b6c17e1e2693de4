/**
 * Reading the HTML the servers answer with, the few ways the tests need: a page's first form (the
 * auto-submitting pages of a launch, the console's forms), and an element's text, value or data-*.
 */
export interface HtmlForm {
  /** As written in the page (resolve it against the page's URL). */
  action: string;
  method: string;
  /** Every named input of the form, entities decoded; a later input of the same name wins. */
  fields: Record<string, string>;
}

/** The first form of a page: its action, method and the named inputs inside it. */
export function readForm(pageHtml: string): HtmlForm {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(pageHtml);
  if (!form) throw new Error(`no form in page: ${pageHtml.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = attribute(input[1], 'name');
    if (name) fields[unescapeHtml(name)] = unescapeHtml(attribute(input[1], 'value') ?? '');
  }
  return { action: unescapeHtml(attribute(form[1], 'action') ?? ''), method: attribute(form[1], 'method') ?? 'get', fields };
}

/** The data-* attributes of the element with this id. */
export function dataAttributes(pageHtml: string, id: string): Record<string, string> {
  const tag = new RegExp(`<[a-z]+\\b[^>]*id="${id}"[^>]*>`, 'i').exec(pageHtml)?.[0];
  if (!tag) throw new Error(`no element #${id}`);
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/data-([a-z-]+)="([^"]*)"/g)) out[m[1]] = unescapeHtml(m[2]);
  return out;
}

/** The text of the element with this id (first match), tags stripped and entities decoded. */
export function textOf(pageHtml: string, id: string): string | null {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(p|div|section|dd|li|textarea)>`).exec(pageHtml);
  if (!match) return null;
  return unescapeHtml(match[1].replace(/<[^>]+>/g, '')).trim();
}

/** The value attribute of the input with this id. */
export function inputValue(pageHtml: string, id: string): string | null {
  const match = new RegExp(`<input[^>]*id="${id}"[^>]*value="([^"]*)"`).exec(pageHtml);
  return match ? unescapeHtml(match[1]) : null;
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
}

export function unescapeHtml(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return value.replace(/&(amp|lt|gt|quot|#\d+|#x[\da-f]+);/gi, (_, entity: string) => {
    if (entity[0] !== '#') return named[entity.toLowerCase()];
    return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}
