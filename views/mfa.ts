// The second-factor pages: challenge, offer, TOTP enrolment, backup codes, notices.
import { html, trusted } from './html.js';
import { page, csrfField } from './layout.js';

export interface FactorChoice {
  kind: string;
  label: string;
}

export interface ChallengeView {
  uid: string;
  csrfToken: string;
  kind: string;
  /** Other factors the user may switch to. */
  others: FactorChoice[];
  backupCodesAvailable: boolean;
  /** Offer "Trust this device" for this many days (0: not offered). */
  rememberDays: number;
  /** For a WebAuthn challenge: the request options the browser answers. */
  webauthnOptions?: unknown;
  error?: string;
}

export function challengePage(v: ChallengeView): string {
  if (v.webauthnOptions !== undefined) return webauthnChallengePage(v);
  const isBackup = v.kind === 'backup_code';
  return page(
    'Two-step verification',
    html`<h1>Two-step verification</h1>
${v.error ? html`<p class="error" role="alert" id="mfa-error">${v.error}</p>` : ''}
<form method="post" action="/interaction/${v.uid}/mfa/verify">
${csrfField(v.csrfToken)}
<input type="hidden" name="factor" value="${v.kind}">
<label for="code">${isBackup ? 'Backup code' : 'Code from your authenticator app'}</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" required autofocus
  ${isBackup ? html`spellcheck="false" autocapitalize="none"` : html`inputmode="numeric" pattern="[0-9 ]*" maxlength="8"`}
  ${v.error ? html`aria-describedby="mfa-error"` : ''}>
${trustDeviceChoice(v)}
<button type="submit">Verify</button>
</form>
${alternatives(v)}`,
  );
}

function trustDeviceChoice(v: ChallengeView) {
  return v.rememberDays > 0
    ? html`<p><input type="checkbox" id="trust_device" name="trust_device" value="on"> <label for="trust_device" class="inline">Trust this device for ${v.rememberDays} days (skip this step here)</label></p>`
    : '';
}

function alternatives(v: ChallengeView) {
  return html`${v.others.length ? html`<p>Or use: ${v.others.map((o) => html`<a href="/interaction/${v.uid}?factor=${o.kind}">${o.label}</a> `)}</p>` : ''}
${v.kind !== 'backup_code' && v.backupCodesAvailable ? html`<p><a href="/interaction/${v.uid}?factor=backup_code">Use a backup code</a></p>` : ''}
<p><a href="/interaction/${v.uid}/abort">Cancel sign-in</a></p>`;
}

/** WebAuthn: the browser signs the challenge (script), the form carries the answer. */
function webauthnChallengePage(v: ChallengeView): string {
  return page(
    'Two-step verification',
    html`<h1>Use your security key or device</h1>
${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
<p>Insert or touch your security key, or confirm with your device (fingerprint, face or PIN).</p>
<form method="post" action="/interaction/${v.uid}/mfa/verify" id="webauthn-form" data-webauthn="authenticate" data-options="${JSON.stringify(v.webauthnOptions)}">
${csrfField(v.csrfToken)}
<input type="hidden" name="factor" value="${v.kind}">
<input type="hidden" name="code" value="">
${trustDeviceChoice(v)}
<button type="button" id="webauthn-start">Use your security key or device</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>
</form>
${alternatives(v)}`,
    { scripts: ['/assets/simplewebauthn-browser.js', '/assets/webauthn.js'] },
  );
}

export function offerPage(v: { uid: string; csrfToken: string; required: boolean; skippableUntil?: Date; methods: FactorChoice[] }): string {
  return page(
    'Protect your account',
    html`<h1>${v.required ? 'Set up two-step verification' : 'Protect your account'}</h1>
<p>${v.required ? 'A second step is required for this sign-in.' : 'Add a second step to your sign-in.'}</p>
${v.skippableUntil ? html`<p class="notice">You can skip this until ${v.skippableUntil.toUTCString()}. After that you will need it to sign in.</p>` : ''}
${v.methods.map((m) => html`<p><a class="button" href="/interaction/${v.uid}/mfa/enrol?kind=${m.kind}">Set up: ${m.label}</a></p>`)}
${!v.required || v.skippableUntil ? html`<form method="post" action="/interaction/${v.uid}/mfa/skip">${csrfField(v.csrfToken)}<button type="submit" class="secondary">Not now</button></form>` : ''}`,
  );
}

export interface TotpEnrolView {
  uid: string;
  csrfToken: string;
  factorId: string;
  qrSvg: string;
  secretGroups: string[];
  otpauthUri: string;
  error?: string;
  skippableUntil?: Date;
}

export function totpEnrolPage(v: TotpEnrolView): string {
  return page(
    'Set up an authenticator app',
    html`<h1>Set up an authenticator app</h1>
<ol>
<li>Open your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Authy, …) and scan this QR code.</li>
</ol>
<figure class="qr" aria-label="QR code for your authenticator app">${trusted(v.qrSvg)}</figure>
<p>Can't scan it? Enter this key by hand (time-based, 6 digits, 30 seconds):</p>
<p><code class="secret" aria-label="Secret key">${v.secretGroups.join(' ')}</code></p>
<p><a href="${v.otpauthUri}">Open in an authenticator app on this device</a></p>
${v.error ? html`<p class="error" role="alert" id="enrol-error">${v.error}</p>` : ''}
<form method="post" action="/interaction/${v.uid}/mfa/enrol">
${csrfField(v.csrfToken)}
<input type="hidden" name="factor_id" value="${v.factorId}">
<label for="name">Name this authenticator</label>
<input id="name" name="name" type="text" value="Authenticator app" maxlength="64">
<label for="code">Enter the 6-digit code the app shows</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required
  ${v.error ? html`aria-describedby="enrol-error"` : ''}>
<button type="submit">Verify and turn on</button>
</form>
${v.skippableUntil ? html`<form method="post" action="/interaction/${v.uid}/mfa/skip">${csrfField(v.csrfToken)}<button type="submit" class="secondary">Skip for now</button></form>` : ''}`,
  );
}

export function backupCodesPage(v: { uid: string; csrfToken: string; codes: string[]; regenerated?: boolean }): string {
  const text = `Keystep backup codes\nEach code works once.\n\n${v.codes.join('\n')}\n`;
  return page(
    'Your backup codes',
    html`<h1>Save your backup codes</h1>
<p>${v.regenerated ? 'Your old backup codes no longer work. ' : ''}If you lose your authenticator, each of these codes lets you sign in once.
Keep them somewhere safe: they are shown only now.</p>
<ul class="codes" id="backup-codes">${v.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a class="button secondary" download="keystep-backup-codes.txt" href="data:text/plain;charset=utf-8,${encodeURIComponent(text)}">Download as .txt</a>
<button type="button" class="secondary" data-copy="backup-codes" hidden>Copy</button></p>
<form method="post" action="/interaction/${v.uid}/mfa/continue">
${csrfField(v.csrfToken)}
<button type="submit">I have saved them, continue</button>
</form>`,
    { scripts: ['/assets/copy.js'] },
  );
}

export function backupCodeUsedPage(v: { uid: string; csrfToken: string; remaining: number }): string {
  return page(
    'Backup code used',
    html`<h1>Backup code accepted</h1>
<p class="notice" role="status">You have <strong>${v.remaining}</strong> backup code${v.remaining === 1 ? '' : 's'} left.</p>
${v.remaining <= 3 ? html`<p>Generate new codes now so that you are not locked out.</p>` : ''}
<form method="post" action="/interaction/${v.uid}/mfa/backup-codes">
${csrfField(v.csrfToken)}
<button type="submit" class="secondary">Generate new backup codes</button>
</form>
<form method="post" action="/interaction/${v.uid}/mfa/continue">
${csrfField(v.csrfToken)}
<button type="submit">Continue</button>
</form>`,
  );
}
