// signin.js - the sign-in form. It is a plain form posted to the server,
// not a script: the token goes from the password field to the server,
// which answers with the session cookie and sends the browser back to the
// console (or back here, saying why not). No script ever reads it.

import { el, replace, say } from './dom.js';

const REFUSALS = {
  '#/signin-refused': 'That token was not accepted: it is not known, or was revoked.',
  '#/signin-limited': 'Too many failed attempts from this address: wait a few seconds and try again.',
  '#/signin-unavailable': 'The service cannot read its tokens right now: try again in a moment.',
};

export function showSignIn(root) {
  const refusal = REFUSALS[location.hash];
  if (refusal) say(refusal, true);
  const field = el('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true,
    spellcheck: 'false', 'aria-describedby': 'token-help',
  });
  replace(root, el('section', { class: 'signin' },
    el('h1', {}, 'Sign in'),
    el('form', { method: 'post', action: '/api/v1/session' },
      el('label', { for: 'token' }, 'Token'),
      field,
      el('p', { id: 'token-help', class: 'help' },
        'An operator or viewer token, made on the service\'s host with ',
        el('code', {}, 'tis-sync token new NAME --role operator'), ' (or ',
        el('code', {}, '--role viewer'), ').'),
      el('button', { type: 'submit' }, 'Sign in'))));
  field.focus();
}
