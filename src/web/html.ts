/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A tagged template that escapes every interpolated value unless it is marked safe with `raw`. */
export interface SafeHtml {
  readonly __html: string;
}

export function raw(html: string): SafeHtml {
  return { __html: html };
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return raw(out);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && '__html' in (value as object)) return (value as SafeHtml).__html;
  return escapeHtml(value);
}

export const STYLE = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--accent:#0b5fff;--bad:#b42318;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:42rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}.code{font-family:ui-monospace,monospace;background:var(--bg);padding:.1rem .3rem;border-radius:4px}
.muted{color:var(--muted);font-size:.9rem}button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.said{margin-top:1.5rem;padding:.75rem 1rem;border:1px dashed var(--muted);border-left:4px solid var(--muted);border-radius:6px;background:var(--bg)}
.said h2{font-size:.95rem;margin:0}.said p{margin:.25rem 0 .5rem}.said dt{font-family:ui-monospace,monospace;font-weight:400;color:var(--muted)}
.said-value{font-family:ui-monospace,monospace;white-space:pre-wrap;color:var(--muted)}.said-value::before{content:"“"}.said-value::after{content:"”"}
`;

/** A small standalone page for people: error pages and the launch form. */
export function page(title: string, body: SafeHtml, options: { styleNonce?: string } = {}): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><style${options.styleNonce ? ` nonce="${options.styleNonce}"` : ''}>${STYLE}</style></head>` +
    `<body><main>${body.__html}</main></body></html>`;
}
