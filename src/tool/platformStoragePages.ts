import { html, page } from '../web/html.ts';

/**
 * Pages of the cookie-less path (LTI Client Side postMessages, platform storage). They carry no
 * inline script: /lti/platform-storage.js reads its instructions from data attributes.
 */
export const PLATFORM_STORAGE_SCRIPT_PATH = '/lti/platform-storage.js';

/** The storage key of a login's browser binding in the platform's frame. */
export function storageKey(state: string): string {
  return `lti_state_${state}`;
}

/** At login: put the binding into the platform's storage, then continue to the platform's login. */
export function platformStoragePutPage(input: {
  storageTarget: string;
  platformOrigin: string;
  /** The clear state sent to the platform (never the hash kept in login_states). */
  state: string;
  binding: string;
  next: string;
  styleNonce: string;
}): string {
  return page(
    'Starting the launch…',
    html`<h1>Starting the launch…</h1>
<p class="muted">Remembering this sign-in with your learning platform.</p>
<div id="lti-storage" data-mode="put" data-target="${input.storageTarget}" data-origin="${input.platformOrigin}"
  data-key="${storageKey(input.state)}" data-value="${input.binding}" data-next="${input.next}"></div>
<noscript><p><a href="${input.next}">Continue</a></p></noscript>
<script src="${PLATFORM_STORAGE_SCRIPT_PATH}"></script>`,
    { styleNonce: input.styleNonce },
  );
}

/** At launch: read the binding back from the platform's storage and post the launch again with it. */
export function platformStorageGetPage(input: {
  storageTarget: string;
  platformOrigin: string;
  /** The clear state the launch brought back (never the hash kept in login_states). */
  state: string;
  idToken: string;
  action: string;
  styleNonce: string;
}): string {
  return page(
    'Opening…',
    html`<h1>Opening…</h1>
<div id="lti-storage" data-mode="get" data-target="${input.storageTarget}" data-origin="${input.platformOrigin}" data-key="${storageKey(input.state)}"></div>
<form id="lti-storage-form" method="post" action="${input.action}">
<input type="hidden" name="id_token" value="${input.idToken}">
<input type="hidden" name="state" value="${input.state}">
<input type="hidden" name="lti_storage_target" value="${input.storageTarget}">
<input type="hidden" name="lti_storage_binding" value="">
<input type="hidden" name="lti_storage_unavailable" value="">
<noscript><button type="submit">Continue</button></noscript>
</form>
<script src="${PLATFORM_STORAGE_SCRIPT_PATH}"></script>`,
    { styleNonce: input.styleNonce },
  );
}

/**
 * lti.put_data / lti.get_data (LTI Client Side postMessages): messages go to the frame the platform
 * named in lti_storage_target, restricted to the origin of its authorization endpoint, and only
 * answers from that origin with our message_id are read. No answer within 2 s = storage unavailable.
 */
export const PLATFORM_STORAGE_SCRIPT = `(function () {
  'use strict';
  var el = document.getElementById('lti-storage');
  if (!el) return;
  var d = el.dataset;
  var target = d.target === '_parent' ? window.parent : (window.parent.frames[d.target] || window.parent);
  var messageId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
  var finished = false;
  function finish(value) {
    if (finished) return;
    finished = true;
    if (d.mode === 'put') { window.location.replace(d.next); return; }
    var form = document.getElementById('lti-storage-form');
    if (typeof value === 'string' && value) form.elements.lti_storage_binding.value = value;
    else form.elements.lti_storage_unavailable.value = '1';
    form.submit();
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== d.origin) return;
    var m = event.data;
    if (!m || typeof m !== 'object' || m.message_id !== messageId) return;
    if (m.subject === 'lti.put_data.response') finish();
    if (m.subject === 'lti.get_data.response') finish(m.error ? null : m.value);
  });
  var message = d.mode === 'put'
    ? { subject: 'lti.put_data', message_id: messageId, key: d.key, value: d.value }
    : { subject: 'lti.get_data', message_id: messageId, key: d.key };
  try { target.postMessage(message, d.origin); } catch (e) { finish(null); }
  setTimeout(function () { finish(null); }, 2000);
})();
`;
