import { html, type SafeHtml } from '../../web/html.ts';

/** The console of one role: its name and the sections of its navigation. */
export interface ConsoleShell {
  product: string;
  links: Array<{ key: string; href: string; label: string }>;
}

export interface PageContent {
  title: string;
  /** The navigation key of the section this page belongs to. */
  current: string;
  body: SafeHtml;
  /** A confirmation shown at the top ("Saved."): fixed texts chosen by key, never taken from the URL. */
  notice?: string;
  /**
   * false for a page no console page can be reached from (the console is disabled): then it
   * shows no navigation and no link at all, as every one would only lead back to it.
   */
  navigation?: boolean;
}

/** Confirmations shown after a form redirects back (Post/Redirect/Get), by the `notice` query key. */
export const NOTICES: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  deleted: 'Deleted.',
  retrying: 'The delivery is due now: a worker sends it within a few seconds.',
  rotated: 'Keys rotated: the next key now signs, and the previous key stays published until its tokens have expired.',
};

export function noticeOf(query: unknown): string | undefined {
  const key = (query as { notice?: unknown } | undefined)?.notice;
  return typeof key === 'string' ? NOTICES[key] : undefined;
}

/** A whole console page: skip link, navigation, one h1, and the page's content. */
export function consolePage(shell: ConsoleShell, content: PageContent): string {
  const nav = shell.links.map((l) =>
    html`<li><a href="${l.href}"${l.key === content.current ? html` aria-current="page"` : ''}>${l.label}</a></li>`);
  const header = content.navigation === false
    ? html`<header class="bar"><span class="product">${shell.product}</span></header>`
    : html`<a class="skip" href="#content">Skip to content</a>
<header class="bar"><a class="product" href="/admin">${shell.product}</a>
<nav aria-label="Admin sections"><ul>${nav}</ul></nav></header>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${content.title} · ${shell.product}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/assets/console.css">
<script src="/admin/assets/console.js" defer></script>
</head><body>
${header}
<main id="content" tabindex="-1">
${content.notice ? html`<p class="notice" role="status">${content.notice}</p>` : ''}
<h1>${content.title}</h1>
${content.body}
</main>
<div id="console-live" class="sr-only" aria-live="polite"></div>
</body></html>`.__html;
}
