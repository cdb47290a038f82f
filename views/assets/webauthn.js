// Runs the WebAuthn ceremony a page asks for (data-webauthn="register" | "authenticate" |
// "passkey") with SimpleWebAuthn's browser library, puts the answer in the form's `code` field and
// submits it. Passkey sign-in also offers conditional UI (autofill) where the browser has it.
const { startRegistration, startAuthentication, browserSupportsWebAuthn, browserSupportsWebAuthnAutofill } = window.SimpleWebAuthnBrowser;

for (const form of document.querySelectorAll('form[data-webauthn]')) {
  const mode = form.dataset.webauthn;
  const optionsJSON = JSON.parse(form.dataset.options);
  const button = form.querySelector('[data-webauthn-start], #webauthn-start');
  const error = form.querySelector('.webauthn-error, #webauthn-error');
  const answer = async (useBrowserAutofill) => {
    const response = mode === 'register' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON, useBrowserAutofill });
    form.querySelector('input[name=code]').value = JSON.stringify(response);
    form.submit();
  };
  const fail = (err) => {
    if (!error) return;
    error.hidden = false;
    error.textContent = err && err.name === 'NotAllowedError' ? 'The request was cancelled or timed out. Try again.' : 'This browser or key could not complete the request.';
  };
  if (!browserSupportsWebAuthn()) {
    if (button) button.disabled = true;
    fail();
    continue;
  }
  button?.addEventListener('click', () => answer(false).catch(fail));
  if (mode === 'passkey' && form.dataset.conditional === 'true') {
    browserSupportsWebAuthnAutofill().then((ok) => ok && answer(true).catch(() => undefined));
  }
}
