// The built-in demo relying party (/demo): a real OIDC client of this very server, using
// openid-client for authorization code + PKCE, showing the ID and access token claims.
import Router from '@koa/router';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import type { KeystepServices } from '../services.js';
import { BadRequest } from '../http/errors.js';
import { demoHomePage, demoResultPage } from '../../views/demo.js';

export const DEMO_CLIENT_ID = 'keystep-demo';
export const demoApiAudience = (issuer: string) => `${issuer}/demo/api`;
const COOKIE = 'keystep.demo';

interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
}

export function demoRouter(services: KeystepServices): Router {
  const { issuer } = services.settings;
  const router = new Router({ prefix: '/demo' });
  const redirectUri = `${issuer}/demo/callback`;
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

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = demoHomePage({ issuer });
  });

  router.get('/login', async (ctx) => {
    const pending: PendingLogin = {
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    };
    ctx.cookies.set(COOKIE, JSON.stringify(pending), { signed: true, httpOnly: true, sameSite: 'lax', path: '/demo' });
    const url = oidc.buildAuthorizationUrl(await client(), {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      resource: demoApiAudience(issuer),
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // "Sign in again" asks for a fresh login even when a session exists.
      ...(ctx.query.fresh === '1' ? { prompt: 'login' } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const raw = ctx.cookies.get(COOKIE, { signed: true });
    ctx.cookies.set(COOKIE, null, { path: '/demo' });
    let pending: PendingLogin;
    try {
      pending = JSON.parse(raw ?? '') as PendingLogin;
    } catch {
      throw new BadRequest('No sign-in was started from this browser. Start again from /demo.');
    }
    if (ctx.query.error) {
      throw new BadRequest(`Sign-in ended with ${String(ctx.query.error)}: ${String(ctx.query.error_description ?? '')}`, String(ctx.query.error));
    }
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(
        await client(),
        new URL(ctx.originalUrl, issuer),
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
        { resource: demoApiAudience(issuer) },
      );
    } catch (err) {
      throw new BadRequest(`The authorization response was not accepted: ${(err as Error).message}`);
    }
    let accessToken: Record<string, unknown> | string = tokens.access_token;
    try {
      accessToken = decodeJwt(tokens.access_token);
    } catch {
      // opaque access token
    }
    const logout = new URL(`${issuer}/session/end`);
    logout.searchParams.set('id_token_hint', tokens.id_token ?? '');
    logout.searchParams.set('post_logout_redirect_uri', `${issuer}/demo`);
    ctx.type = 'html';
    ctx.body = demoResultPage({ idToken: tokens.claims() ?? {}, accessToken, logoutUrl: logout.href });
  });

  return router;
}
