// The CDP virtual WebAuthn authenticator helper (test/support/virtual-authenticator.ts), proven by
// a self-contained round trip without Keystep: a tiny node:http relying party on localhost that
// uses @simplewebauthn/server, a page that uses @simplewebauthn/browser's UMD bundle, and Chromium
// with a virtual security key or platform passkey answering the ceremonies.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorSelectionCriteria,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { COSEALG, cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium, requireChromium, type VirtualAuthenticator } from '../support/virtual-authenticator.js';

const BUNDLE = fileURLToPath(new URL('../../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', import.meta.url));
const RP_ID = 'localhost';

type UV = 'required' | 'preferred' | 'discouraged';

/** What the page's register()/authenticate() resolve with: the server's verdict or where it failed. */
type Outcome =
  | { ok: true; result: Record<string, unknown>; options: Record<string, unknown>; response: Record<string, unknown> }
  | { ok: false; stage: 'browser'; name: string; message: string }
  | { ok: false; stage: 'server'; error: string; response: Record<string, unknown> };

interface RegisterArgs {
  userName: string;
  authenticatorSelection: AuthenticatorSelectionCriteria;
  /** COSE algorithms to offer; @simplewebauthn's default puts ML-DSA-44 first where the runtime has it (Node 24). */
  supportedAlgorithmIDs?: number[];
}
interface AuthenticateArgs {
  /** Omitted: usernameless (no allowCredentials). */
  userName?: string;
  userVerification: UV;
}

// ---------------------------------------------------------------------------------------------
// The relying party: in-memory users and credentials, one pending ceremony per flow id.

interface Flow {
  kind: 'registration' | 'authentication';
  challenge: string;
  userName?: string;
  userVerification: UV;
  supportedAlgorithmIDs?: number[];
}
interface StoredCredential {
  credential: WebAuthnCredential;
  userName: string;
}

function startRelyingParty(): Promise<{ server: Server; origin: string; credentials: Map<string, StoredCredential>; users: Map<string, Uint8Array<ArrayBuffer>> }> {
  const bundle = readFileSync(BUNDLE);
  const users = new Map<string, Uint8Array<ArrayBuffer>>(); // userName -> user handle
  const credentials = new Map<string, StoredCredential>(); // base64url id -> credential
  const flows = new Map<string, Flow>();
  let origin = '';

  const page = `<!doctype html><meta charset="utf-8"><title>virtual authenticator round trip</title>
<script src="/simplewebauthn-browser.js"></script>
<script>
  async function post(path, body) {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }
  async function ceremony(kind, args, start) {
    const { json: { flowId, optionsJSON } } = await post('/' + kind + '/options', args);
    let response;
    try {
      response = await start({ optionsJSON });
    } catch (e) {
      return { ok: false, stage: 'browser', name: e.name, message: e.message };
    }
    const verdict = await post('/' + kind + '/verify', { flowId, response });
    return verdict.status === 200
      ? { ok: true, result: verdict.json, options: optionsJSON, response }
      : { ok: false, stage: 'server', error: verdict.json.error, response };
  }
  window.register = (args) => ceremony('registration', args, SimpleWebAuthnBrowser.startRegistration);
  window.authenticate = (args) => ceremony('authentication', args, SimpleWebAuthnBrowser.startAuthentication);
</script>`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    if (req.method === 'GET' && req.url === '/simplewebauthn-browser.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      return;
    }
    if (req.method !== 'POST') return void send(404, { error: 'not found' });
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const body = JSON.parse(raw) as Record<string, unknown>;

    try {
      switch (req.url) {
        case '/registration/options': {
          const { userName, authenticatorSelection, supportedAlgorithmIDs } = body as unknown as RegisterArgs;
          if (!users.has(userName)) users.set(userName, new Uint8Array(randomBytes(16)));
          const optionsJSON: PublicKeyCredentialCreationOptionsJSON = await generateRegistrationOptions({
            rpName: 'Virtual authenticator test',
            rpID: RP_ID,
            userName,
            userID: users.get(userName)!,
            attestationType: 'none',
            authenticatorSelection,
            supportedAlgorithmIDs,
            excludeCredentials: [...credentials.values()].filter((c) => c.userName === userName).map((c) => ({ id: c.credential.id, transports: c.credential.transports })),
            timeout: 10_000,
          });
          const flowId = randomUUID();
          flows.set(flowId, { kind: 'registration', challenge: optionsJSON.challenge, userName, userVerification: authenticatorSelection.userVerification ?? 'preferred', supportedAlgorithmIDs });
          return void send(200, { flowId, optionsJSON });
        }
        case '/registration/verify': {
          const flow = flows.get(body.flowId as string);
          flows.delete(body.flowId as string);
          if (flow?.kind !== 'registration') return void send(400, { error: 'unknown flow' });
          const verification = await verifyRegistrationResponse({
            response: body.response as RegistrationResponseJSON,
            expectedChallenge: flow.challenge,
            expectedOrigin: origin,
            expectedRPID: RP_ID,
            requireUserVerification: flow.userVerification === 'required',
            supportedAlgorithmIDs: flow.supportedAlgorithmIDs,
          });
          if (!verification.verified) return void send(400, { error: 'registration not verified' });
          const { credential, credentialDeviceType, credentialBackedUp, aaguid, userVerified, fmt } = verification.registrationInfo;
          credentials.set(credential.id, { credential, userName: flow.userName! });
          const alg = decodeCredentialPublicKey(credential.publicKey).get(cose.COSEKEYS.alg);
          return void send(200, { credentialId: credential.id, counter: credential.counter, transports: credential.transports, alg, credentialDeviceType, credentialBackedUp, aaguid, userVerified, fmt });
        }
        case '/authentication/options': {
          const { userName, userVerification } = body as unknown as AuthenticateArgs;
          const optionsJSON: PublicKeyCredentialRequestOptionsJSON = await generateAuthenticationOptions({
            rpID: RP_ID,
            userVerification,
            timeout: 10_000,
            allowCredentials:
              userName === undefined
                ? undefined
                : [...credentials.values()].filter((c) => c.userName === userName).map((c) => ({ id: c.credential.id, transports: c.credential.transports })),
          });
          const flowId = randomUUID();
          flows.set(flowId, { kind: 'authentication', challenge: optionsJSON.challenge, userName, userVerification });
          return void send(200, { flowId, optionsJSON });
        }
        case '/authentication/verify': {
          const flow = flows.get(body.flowId as string);
          flows.delete(body.flowId as string);
          if (flow?.kind !== 'authentication') return void send(400, { error: 'unknown flow' });
          const response = body.response as AuthenticationResponseJSON;
          const stored = credentials.get(response.id);
          if (!stored) return void send(400, { error: `unknown credential ${response.id}` });
          if (flow.userName !== undefined && stored.userName !== flow.userName) return void send(400, { error: 'credential of another user' });
          // A discoverable credential names its user: the handle must be the one it was registered for.
          const userHandle = response.response.userHandle;
          if (userHandle !== undefined && userHandle !== Buffer.from(users.get(stored.userName)!).toString('base64url')) {
            return void send(400, { error: 'user handle mismatch' });
          }
          const verification = await verifyAuthenticationResponse({
            response,
            expectedChallenge: flow.challenge,
            expectedOrigin: origin,
            expectedRPID: RP_ID,
            credential: stored.credential,
            requireUserVerification: flow.userVerification === 'required',
          });
          if (!verification.verified) return void send(400, { error: 'signature not verified' });
          const { newCounter, userVerified, credentialDeviceType, credentialBackedUp, credentialID } = verification.authenticationInfo;
          const previousCounter = stored.credential.counter;
          stored.credential.counter = newCounter;
          return void send(200, { userName: stored.userName, credentialID, previousCounter, newCounter, userVerified, credentialDeviceType, credentialBackedUp, userHandle: userHandle ?? null });
        }
        default:
          return void send(404, { error: 'not found' });
      }
    } catch (e) {
      return void send(400, { error: (e as Error).message });
    }
  }

  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      origin = `http://localhost:${(server.address() as { port: number }).port}`;
      resolve({ server, origin, credentials, users });
    });
  });
}

// ---------------------------------------------------------------------------------------------

const available = requireChromium('virtual authenticator round trip');

interface PageApi {
  register(args: RegisterArgs): Promise<Outcome>;
  authenticate(args: AuthenticateArgs): Promise<Outcome>;
}

(available ? describe : describe.skip)('CDP virtual WebAuthn authenticator round trip', () => {
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let authenticator: VirtualAuthenticator | undefined;

  beforeAll(async () => {
    [rp, browser] = await Promise.all([startRelyingParty(), launchChromium()]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await new Promise((r) => (rp ? rp.server.close(r) : r(undefined)));
  });

  beforeEach(async () => {
    context = await browser!.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${rp.origin}/`);
  });

  afterEach(async () => {
    await authenticator?.remove().catch(() => undefined);
    authenticator = undefined;
    await context?.close().catch(() => undefined);
  });

  const register = (args: RegisterArgs) => page.evaluate((a) => (window as unknown as PageApi).register(a), args);
  const authenticate = (args: AuthenticateArgs) => page.evaluate((a) => (window as unknown as PageApi).authenticate(a), args);

  function succeeded(outcome: Outcome): Record<string, unknown> {
    if (!outcome.ok) throw new Error(`ceremony failed: ${JSON.stringify(outcome)}`);
    return outcome.result;
  }

  test('a USB security key registers without UV (single-device, non-discoverable) and authenticates', async () => {
    authenticator = await addVirtualAuthenticator(page, 'usb-security-key');
    const registered = succeeded(await register({ userName: 'key@example.test', authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' } }));
    expect(registered).toMatchObject({ userVerified: false, credentialDeviceType: 'singleDevice', credentialBackedUp: false, fmt: 'none' });
    expect(registered.transports).toEqual(['usb']);

    const [stored] = await authenticator.credentials();
    expect(await authenticator.credentials()).toHaveLength(1);
    expect(stored).toMatchObject({ id: registered.credentialId, isResidentCredential: false, rpId: RP_ID });

    const signedIn = succeeded(await authenticate({ userName: 'key@example.test', userVerification: 'discouraged' }));
    expect(signedIn).toMatchObject({ userName: 'key@example.test', credentialID: registered.credentialId, userVerified: false, credentialDeviceType: 'singleDevice' });
    expect(signedIn.newCounter as number).toBeGreaterThan(registered.counter as number);
    expect((await authenticator.credentials())[0]!.signCount).toBe(signedIn.newCounter);
  }, 15_000);

  test('a platform passkey registers a discoverable credential with UV and signs in usernameless', async () => {
    authenticator = await addVirtualAuthenticator(page, 'platform-passkey');
    const registered = succeeded(
      await register({ userName: 'passkey@example.test', authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'required', userVerification: 'required' } }),
    );
    expect(registered).toMatchObject({ userVerified: true, credentialDeviceType: 'singleDevice', credentialBackedUp: false });
    expect(registered.transports).toEqual(['internal']);

    const [stored] = await authenticator.credentials();
    const userHandle = Buffer.from(rp.users.get('passkey@example.test')!).toString('base64url');
    expect(stored).toMatchObject({ id: registered.credentialId, isResidentCredential: true, rpId: RP_ID });
    expect(Buffer.from(stored!.userHandle!, 'base64').toString('base64url')).toBe(userHandle);

    // No user name: the options carry no allowCredentials; the authenticator picks the resident
    // credential and names the user through its user handle.
    const outcome = await authenticate({ userVerification: 'required' });
    expect(outcome.ok && outcome.options.allowCredentials).toBeFalsy();
    const signedIn = succeeded(outcome);
    expect(signedIn).toMatchObject({ userName: 'passkey@example.test', credentialID: registered.credentialId, userVerified: true, userHandle });
  }, 15_000);

  test('with user verification failing, a UV-required sign-in does not succeed', async () => {
    authenticator = await addVirtualAuthenticator(page, 'platform-passkey');
    succeeded(await register({ userName: 'uv@example.test', authenticatorSelection: { residentKey: 'required', userVerification: 'required' } }));
    // The same request succeeds while UV works, so the failure below is the UV switch's doing.
    expect(succeeded(await authenticate({ userName: 'uv@example.test', userVerification: 'required' })).userVerified).toBe(true);

    await authenticator.setUserVerified(false);
    const failed = await authenticate({ userName: 'uv@example.test', userVerification: 'required' });
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    // Chromium refuses in the browser (the virtual authenticator reports the UV failure and the
    // ceremony ends in NotAllowedError); no assertion reaches the server.
    expect(failed).toMatchObject({ stage: 'browser', name: 'NotAllowedError' });

    await authenticator.setUserVerified(true);
    expect(succeeded(await authenticate({ userName: 'uv@example.test', userVerification: 'required' })).userVerified).toBe(true);

    // The server's own check, reached by an assertion whose UV flag is clear (the authenticator
    // lies, through the raw CDP session): @simplewebauthn/server refuses it.
    await authenticator.session.send('WebAuthn.setResponseOverrideBits', { authenticatorId: authenticator.authenticatorId, isBadUV: true });
    expect(await authenticate({ userName: 'uv@example.test', userVerification: 'required' })).toMatchObject({
      ok: false,
      stage: 'server',
      error: 'User verification required, but user could not be verified',
    });
  }, 20_000);

  // With @simplewebauthn's default algorithms on a runtime with ML-DSA (Node 24) Chromium's virtual
  // authenticator makes ML-DSA-44 keys; with ES256 only, the P-256 keys real security keys use.
  test.each([
    ['default algorithms', undefined],
    ['ES256 only', [COSEALG.ES256]],
  ])('a rewound signature counter (a cloned key) is refused by the relying party (%s)', async (_, supportedAlgorithmIDs) => {
    // A user name of its own: a second credential in allowCredentials (one this authenticator does
    // not hold) makes Chromium probe the allow list first, and the probe bumps the counter too.
    const userName = `clone-${supportedAlgorithmIDs ? 'es256' : 'default'}@example.test`;
    authenticator = await addVirtualAuthenticator(page, 'usb-security-key');
    const { credentialId, alg } = succeeded(
      await register({ userName, authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' }, supportedAlgorithmIDs }),
    ) as { credentialId: string; alg: number };
    if (supportedAlgorithmIDs) expect(alg).toBe(COSEALG.ES256);
    const first = succeeded(await authenticate({ userName, userVerification: 'discouraged' }));
    const second = succeeded(await authenticate({ userName, userVerification: 'discouraged' }));
    expect(second.newCounter as number).toBeGreaterThan(first.newCounter as number);
    expect(rp.credentials.get(credentialId)!.credential.counter).toBe(second.newCounter);

    const rewound = await authenticator.rewindSignCount(credentialId, first.newCounter as number);
    expect(rewound).toEqual({ from: second.newCounter, to: first.newCounter });
    const [after] = await authenticator.credentials();
    expect(after).toMatchObject({ id: credentialId, signCount: first.newCounter, isResidentCredential: false, rpId: RP_ID });

    // The authenticator still signs (same private key), but the counter it reports is first + 1
    // again, i.e. the stored second counter: not an increase, so @simplewebauthn/server throws.
    const refused = await authenticate({ userName, userVerification: 'discouraged' });
    if (refused.ok || refused.stage !== 'server') throw new Error(`expected the server to refuse the assertion: ${JSON.stringify(refused)}`);
    const { error } = refused;
    expect(error).toMatch(/counter/);
    // The counter the refused assertion carried (authenticatorData: rpIdHash[32] flags[1] signCount[4]).
    const { authenticatorData } = (refused.response as unknown as AuthenticationResponseJSON).response;
    const reported = Buffer.from(authenticatorData, 'base64url').readUInt32BE(33);
    expect(reported).toBeGreaterThan(first.newCounter as number); // counting on from the rewound value...
    expect(reported).toBeLessThanOrEqual(second.newCounter as number); // ...but not past what the server saw
    expect((await authenticator.credentials())[0]!.signCount).toBe(reported);
    expect(error).toBe(`Response counter value ${reported} was lower than expected ${second.newCounter as number}`);
    // The stored counter did not move.
    expect(rp.credentials.get(credentialId)!.credential.counter).toBe(second.newCounter);
  }, 20_000);
});
