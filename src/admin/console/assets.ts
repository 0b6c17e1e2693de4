import type { FastifyPluginAsync } from 'fastify';
import { KEY_DETECT_SCRIPT } from './keyInput.ts';

/**
 * The console's style sheet and script, served as same-origin files (the CSP allows no inline
 * style or script without a nonce). The pages work without the script; it only adds
 * copy-to-clipboard buttons and the live "detected key format" note.
 */
export const CONSOLE_CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#525a63;--line:#c9d1d9;--bg:#f6f8fa;--accent:#0a58d0;--ok:#1a7f37;--bad:#b42318;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
header.bar{background:#132035;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem}
header.bar .product{font-weight:700;color:#fff;text-decoration:none}
header.bar nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
header.bar nav a{color:#fff;text-decoration:none;padding:.35rem .6rem;border-radius:6px;display:inline-block}
header.bar nav a:hover{background:#26385a}
header.bar nav a[aria-current=page]{background:#fff;color:#132035}
main{max-width:72rem;margin:1rem auto;padding:1rem 1.25rem;background:#fff;border:1px solid var(--line);border-radius:8px}
@media (max-width:40rem){main{margin:0;border-radius:0;border-left:0;border-right:0;padding:1rem .75rem}}
h1{font-size:1.5rem;margin:.25rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.muted,.hint{color:var(--muted);font-size:.9rem}
.notice{border:1px solid var(--ok);background:#e9f7ee;padding:.5rem .75rem;border-radius:6px}
.alert{border:1px solid var(--bad);background:#fdeceb;padding:.5rem .75rem;border-radius:6px;margin-bottom:1rem}
.alert h2{margin-top:0;font-size:1.05rem}
.field{margin:0 0 1rem}
.field label,.field legend{display:block;font-weight:600}
.field input[type=text],.field input[type=url],.field input[type=email],.field input[type=password],.field select,.field textarea{width:100%;font:inherit;padding:.45rem .55rem;border:1px solid #8c959f;border-radius:6px;background:#fff;color:var(--fg)}
.field textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;min-height:6rem}
.field.invalid input,.field.invalid textarea,.field.invalid select{border:2px solid var(--bad)}
.field .error{color:var(--bad);font-weight:600;margin:.25rem 0 0}
.field fieldset{border:0;padding:0;margin:0}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
button,.button{font:inherit;padding:.45rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger,.button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}
.actions form{margin:0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg)}
td.wrap,dd{overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}}
code,.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;background:var(--bg);padding:.05rem .3rem;border-radius:4px;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:.05rem .45rem;border-radius:999px;border:1px solid currentColor}
.badge.success,.badge.ok,.badge.current{color:var(--ok)}
.badge.failure,.badge.failed{color:var(--bad)}
.badge.pending,.badge.next,.badge.test,.badge.warning{color:var(--warn)}
.badge.previous{color:var(--muted)}
.copy-panel{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.copy-panel h2{margin-top:0}
.copy-row{display:grid;grid-template-columns:minmax(10rem,16rem) 1fr auto;gap:.25rem .75rem;align-items:center;padding:.35rem 0;border-bottom:1px solid var(--bg)}
.copy-row .label{font-weight:600}.copy-row .label .hint{font-weight:400}
.copy-row .value{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;overflow-wrap:anywhere}
@media (max-width:40rem){.copy-row{grid-template-columns:1fr auto}.copy-row .label{grid-column:1/-1}}
.copy-row button{padding:.2rem .6rem;font-size:.85rem}
.chart{width:100%;max-width:44rem;height:auto;display:block}
.chart .success{fill:#1a7f37}.chart .failure{fill:#b42318}.chart .pending{fill:#b07d00}
.chart .axis{stroke:#8c959f;stroke-width:1}.chart text{fill:#525a63;font-size:10px}
.legend{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:.5rem 0}
.legend .swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-.05rem}
.swatch.success{background:#1a7f37}.swatch.failure{background:#b42318}.swatch.pending{background:#b07d00}
ol.steps{padding-left:1.5rem}ol.steps li{margin:.35rem 0}ol.steps li.request{list-style:none;margin-left:-1.5rem;margin-top:.8rem}ol.steps .cause code{overflow-wrap:anywhere}
.secret{border:2px solid var(--warn);background:#fff8e6;padding:.75rem 1rem;border-radius:8px}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
.filters .field{margin:0;min-width:10rem}
th.num,td.num{text-align:right}
table.gradebook th,table.gradebook td{white-space:nowrap}
table.gradebook td.wrap{white-space:normal;min-width:8rem}
table.gradebook th small,table.gradebook td small{display:block;font-weight:400;font-size:.8rem}
table.gradebook th .item-label{display:block;white-space:normal;min-width:6rem}
table.gradebook td.score{text-align:right;font-variant-numeric:tabular-nums}
table.gradebook tbody tr:hover{background:var(--bg)}
.badge.active{color:var(--ok)}.badge.inactive,.badge.gone{color:var(--muted)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

export const CONSOLE_JS = `
'use strict';
(function () {
  var live = document.getElementById('console-live');
  function announce(text) { if (live) { live.textContent = ''; setTimeout(function () { live.textContent = text; }, 50); } }
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      if (!source) return;
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () { var label = button.textContent; button.textContent = 'Copied'; announce('Copied ' + (button.getAttribute('aria-label') || '').replace(/^Copy /, '')); setTimeout(function () { button.textContent = label; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { announce('Could not copy; select the text instead.'); });
      } else {
        var range = document.createRange(); range.selectNodeContents(source);
        var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
        announce('Selected; press Ctrl+C to copy.');
      }
    });
  });
  ${KEY_DETECT_SCRIPT}
})();
`;

/** Serves the console's CSS and JS (no authentication: they hold nothing secret, and error pages use them). */
export const consoleAssets: FastifyPluginAsync = async (app) => {
  app.get('/assets/console.css', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8');
    return CONSOLE_CSS;
  });
  app.get('/assets/console.js', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8');
    return CONSOLE_JS;
  });
};
