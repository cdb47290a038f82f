// The built-in demo relying party (/demo): a real OIDC client of this very server, using
// openid-client for authorization code + PKCE, showing the ID and access token claims, and
// calling the demo API; when the API answers with an RFC 9470 challenge, it re-authorizes with
// the acr_values / max_age the challenge names and retries.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import type { Context } from 'koa';
import type { KeystepServices } from '../services.js';
import { BadRequest } from '../http/errors.js';
import { csrfToken, verifyCsrf } from '../http/csrf.js';
import { demoHomePage, demoResultPage } from '../../views/demo.js';

export const DEMO_CLIENT_ID = 'keystep-demo';
export const demoApiAudience = (issuer: string) => `${issuer}/demo/api`;
const PENDING_COOKIE = 'keystep.demo';
const SESSION_COOKIE = 'keystep.demo.sid';
const MAX_SESSIONS = 1000;

interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
  /** Call the sensitive action once signed in (after an RFC 9470 challenge). */
  retrySensitive?: boolean;
}

interface DemoSession {
  idToken: string;
  accessToken: string;
  actionResult?: unknown;
}

/** Parses `Bearer error="…", acr_values="…", max_age=…` (RFC 9470). */
export function parseChallenge(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) out[m[1]!] = m[2] ?? m[3]!;
  return out;
}

export function demoRouter(services: KeystepServices): Router {
  const { issuer } = services.settings;
  const audience = demoApiAudience(issuer);
  const router = new Router({ prefix: '/demo' });
  const redirectUri = `${issuer}/demo/callback`;
  // Demo only: tokens kept in memory, keyed by a random cookie, a bounded number of them.
  const sessions = new Map<string, DemoSession>();
  let configuration: Promise<oidc.Configuration> | undefined;
  const client = () =>
    (configuration ??= oidc
      .discovery(new URL(issuer), DEMO_CLIENT_ID, undefined, oidc.None(), {
        execute: issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err) => {
        configuration = undefined;
        throw err;
      }));

  const sessionOf = (ctx: Context) => {
    const id = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    return id ? sessions.get(id) : undefined;
  };

  async function startLogin(ctx: Context, extra: Record<string, string>, retrySensitive = false) {
    const pending: PendingLogin = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), retrySensitive };
    ctx.cookies.set(PENDING_COOKIE, JSON.stringify(pending), { signed: true, httpOnly: true, sameSite: 'lax', path: '/demo' });
    const url = oidc.buildAuthorizationUrl(await client(), {
      redirect_uri: redirectUri,
      scope: 'openid email profile api:read',
      resource: audience,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...extra,
    });
    ctx.status = 303;
    ctx.redirect(url.href);
  }

  async function callSensitiveApi(accessToken: string) {
    const res = await fetch(`${audience}/sensitive`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
    return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json().catch(() => null) };
  }

  function render(ctx: Context, session: DemoSession) {
    let accessToken: Record<string, unknown> | string = session.accessToken;
    try {
      accessToken = decodeJwt(session.accessToken);
    } catch {
      // opaque access token
    }
    ctx.type = 'html';
    ctx.body = demoResultPage({ idToken: decodeJwt(session.idToken), accessToken, logoutUrl: '/demo/logout', csrfToken: csrfToken(ctx), actionResult: session.actionResult });
  }

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '4kb' }));

  router.get('/', (ctx) => {
    const session = sessionOf(ctx);
    if (session) return render(ctx, session);
    ctx.type = 'html';
    ctx.body = demoHomePage({ issuer });
  });

  // "Sign in again" (fresh=1) asks for a new login even when a session exists.
  router.get('/login', (ctx) => startLogin(ctx, ctx.query.fresh === '1' ? { prompt: 'login' } : {}));

  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(PENDING_COOKIE, { signed: true });
    ctx.cookies.set(PENDING_COOKIE, null, { path: '/demo' });
    let pending: PendingLogin;
    try {
      pending = JSON.parse(raw ?? '') as PendingLogin;
    } catch {
      throw new BadRequest('No sign-in was started from this browser. Start again from /demo.');
    }
    if (ctx.query.error) {
      throw new BadRequest(`Sign-in ended with ${String(ctx.query.error)}: ${String(ctx.query.error_description ?? '')}`, String(ctx.query.error));
    }
    let tokens: oidc.TokenEndpointResponse;
    try {
      tokens = await oidc.authorizationCodeGrant(
        await client(),
        new URL(ctx.originalUrl, issuer),
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
        { resource: audience },
      );
    } catch (err) {
      throw new BadRequest(`The authorization response was not accepted: ${(err as Error).message}`);
    }
    const session: DemoSession = { idToken: tokens.id_token ?? '', accessToken: tokens.access_token };
    if (pending.retrySensitive) session.actionResult = (await callSensitiveApi(session.accessToken)).body;
    const id = randomBytes(16).toString('base64url');
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    sessions.set(id, session);
    ctx.cookies.set(SESSION_COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax', path: '/demo' });
    ctx.status = 303;
    ctx.redirect('/demo');
  });

  // Forgets the demo's tokens, then ends the Keystep session (RP-initiated logout).
  router.get('/logout', (ctx) => {
    const id = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    const session = id ? sessions.get(id) : undefined;
    if (id) sessions.delete(id);
    ctx.cookies.set(SESSION_COOKIE, null, { path: '/demo' });
    const logout = new URL(`${issuer}/session/end`);
    if (session) logout.searchParams.set('id_token_hint', session.idToken);
    else logout.searchParams.set('client_id', DEMO_CLIENT_ID);
    logout.searchParams.set('post_logout_redirect_uri', `${issuer}/demo`);
    ctx.status = 303;
    ctx.redirect(logout.href);
  });

  router.post('/sensitive', async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    const session = sessionOf(ctx);
    if (!session) throw new BadRequest('Sign in first.');
    const result = await callSensitiveApi(session.accessToken);
    const challenge = parseChallenge(result.challenge);
    if (result.status === 401 && challenge.error === 'insufficient_user_authentication') {
      // RFC 9470: ask Keystep for exactly what the API said it needs, then retry the call.
      return startLogin(ctx, { ...(challenge.acr_values ? { acr_values: challenge.acr_values } : {}), ...(challenge.max_age ? { max_age: challenge.max_age } : {}) }, true);
    }
    session.actionResult = result.body;
    ctx.status = 303;
    ctx.redirect('/demo');
  });

  return router;
}
