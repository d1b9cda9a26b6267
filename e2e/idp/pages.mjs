// The provider's pages: sign in, consent, logout, errors. Small, plain HTML,
// no external resources (this machine has no network, and neither may a demo).

const escape = (value) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #eef1f6; color: #1b2230; }
  main { width: min(360px, 92vw); background: #fff; border-radius: 14px; padding: 28px 28px 22px;
         box-shadow: 0 10px 30px rgba(20, 30, 60, .12); }
  .brand { display: flex; align-items: center; gap: 10px; font-weight: 700; color: #4a3aff; margin-bottom: 18px; }
  .brand span { width: 28px; height: 28px; border-radius: 8px; background: linear-gradient(135deg,#6a5cff,#2ec5ff); display: inline-block; }
  h1 { font-size: 1.25rem; margin: 0 0 6px; }
  p { margin: 0 0 16px; color: #52607a; line-height: 1.45; }
  label { display: block; font-size: .85rem; font-weight: 600; margin: 12px 0 6px; }
  input { width: 100%; box-sizing: border-box; padding: 10px 12px; border: 1px solid #ccd3e0; border-radius: 8px; font-size: 1rem; }
  input:focus { outline: 2px solid #6a5cff; border-color: transparent; }
  button { width: 100%; margin-top: 18px; padding: 11px; border: 0; border-radius: 8px; font-size: 1rem; font-weight: 600;
           background: #4a3aff; color: #fff; cursor: pointer; }
  button.secondary { background: #eef1f6; color: #1b2230; margin-top: 10px; }
  .error { background: #fff0f0; color: #a01d1d; padding: 10px 12px; border-radius: 8px; font-size: .9rem; }
  ul { padding-left: 18px; color: #52607a; }
  small { display: block; margin-top: 16px; color: #8490a8; text-align: center; }
`;

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Demo Identity Provider</title><style>${STYLE}</style></head>
<body><main><div class="brand"><span></span>Demo Identity Provider</div>${body}
<small>A local OpenID Provider for the ngx-oidc demo.</small></main></body></html>`;
}

/** The sign-in form. */
export function renderLogin({ uid, clientId, error, login = '' }) {
  return page(
    'Sign in',
    `<h1>Sign in</h1><p>to continue to <strong>${escape(clientId)}</strong></p>
${error ? `<p class="error" data-testid="idp-error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label for="login">User name</label><input id="login" name="login" data-testid="idp-login" value="${escape(login)}" required autofocus>
  <label for="password">Password</label><input id="password" name="password" type="password" data-testid="idp-password" required>
  <button type="submit" data-testid="idp-submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button class="secondary" type="submit" data-testid="idp-cancel">Cancel</button></form>`,
  );
}

/** The step-up page (RFC 9470): the signed-in user confirms with a one-time code. */
export function renderOneTimeCode({ uid, clientId, user, code, error }) {
  return page(
    'Confirm it is you',
    `<h1>Confirm it is you</h1><p><strong>${escape(clientId)}</strong> asks for a stronger sign-in for <strong>${escape(user)}</strong>.
Enter the one-time code (in this demo it is always <code data-testid="idp-otp-hint">${escape(code)}</code>).</p>
${error ? `<p class="error" data-testid="idp-error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/otp" autocomplete="off">
  <label for="code">One-time code</label><input id="code" name="code" data-testid="idp-otp" inputmode="numeric" required autofocus>
  <button type="submit" data-testid="idp-otp-submit">Confirm</button>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button class="secondary" type="submit" data-testid="idp-cancel">Cancel</button></form>`,
  );
}

/** The consent page. */
export function renderConsent({ uid, clientId, scope, user }) {
  const items = scope
    .split(' ')
    .filter(Boolean)
    .map((s) => `<li>${escape(s)}</li>`)
    .join('');
  return page(
    'Allow access',
    `<h1>Allow access?</h1><p><strong>${escape(clientId)}</strong> asks to act for <strong>${escape(user)}</strong> with:</p><ul>${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm"><button type="submit" data-testid="idp-allow">Allow</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button class="secondary" type="submit" data-testid="idp-deny">Deny</button></form>`,
  );
}

/**
 * The RP-initiated logout confirmation. A logout with a valid id_token_hint is
 * confirmed without asking (the app asked for it); the form is the provider's own.
 */
export function renderLogout(form) {
  return page(
    'Signing out',
    `<h1>Signing out…</h1>${form}<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<button type="submit" form="op.logoutForm" data-testid="idp-logout">Sign out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`,
  );
}

/** After a logout without a post-logout redirect. */
export function renderLoggedOut() {
  return page('Signed out', '<h1>Signed out</h1><p>You have signed out of the demo identity provider.</p>');
}

/** Errors. */
export function renderError({ error, error_description }) {
  return page('Error', `<h1>Something went wrong</h1><p class="error" data-testid="idp-error">${escape(error)}: ${escape(error_description)}</p>`);
}
