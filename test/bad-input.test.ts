// End to end: a table of malformed requests against every route of a running Keystep. Each one
// must be answered with a 4xx (never a 5xx), without leaking a stack trace, and OIDC errors must
// carry a proper OAuth error code.
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser } from './support/browser.js';
import { REDIRECT_URI, authorizationRequest, registerClient } from './support/oidc.js';

/** Error codes defined by OAuth 2.0 / OpenID Connect (and the extensions oidc-provider implements). */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'invalid_token',
  'insufficient_scope',
  'invalid_redirect_uri',
  'invalid_target',
  'login_required',
  'consent_required',
  'interaction_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  // oidc-provider's code for an unknown response_mode (JARM).
  'unsupported_response_mode',
]);

interface BadRequestCase {
  name: string;
  method: string;
  /** Placeholders: {uid} {csrf} {client_id} {public_client_id} {redirect_uri} {challenge}. */
  path: string;
  /** Same placeholders, plus {basic} (the confidential client's HTTP Basic credentials). */
  headers?: Record<string, string>;
  body?: string;
  /** Sent by a browser that has just started an authorization request and sits on its login page. */
  interaction?: 'with-cookies' | 'without-cookies';
  /** Exact status, when one is due (otherwise any 4xx). */
  status?: number;
  /** The error code the response must name (JSON `error` field, or the error page's code). */
  error?: string | string[];
  /** The error must be a registered OAuth error code (OIDC endpoints). */
  oauth?: boolean;
  /**
   * The authorization endpoint with a verified client and redirect_uri must not answer with a 4xx
   * page: RFC 6749 §4.1.2.1 sends the error back to the client's redirect_uri.
   */
  redirectError?: string;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const VALID_LOGIN = 'email=someone%40example.test&password=wrong-password-123&_csrf={csrf}';
const AUTH_OK = 'client_id={client_id}&redirect_uri={redirect_uri}&scope=openid&code_challenge={challenge}&code_challenge_method=S256&state=st4te';
const UNKNOWN_UID = 'x8Jc3vYqk2Lm9PqRsTuVwXyZ0a1b2c3d4e5f6g7h8i9';

const cases: BadRequestCase[] = [
  // ---- interaction routes: unknown uid ----
  { name: 'GET an unknown interaction (no cookies)', method: 'GET', path: `/interaction/${UNKNOWN_UID}`, status: 400, error: 'invalid_request' },
  { name: 'GET an unknown interaction (from a browser with a live interaction)', method: 'GET', path: `/interaction/${UNKNOWN_UID}`, interaction: 'with-cookies', status: 400, error: 'invalid_request' },
  { name: 'POST login to an unknown interaction (valid CSRF)', method: 'POST', path: `/interaction/${UNKNOWN_UID}/login`, interaction: 'with-cookies', headers: FORM, body: VALID_LOGIN, status: 400, error: 'invalid_request' },
  { name: 'POST confirm to an unknown interaction (valid CSRF)', method: 'POST', path: `/interaction/${UNKNOWN_UID}/confirm`, interaction: 'with-cookies', headers: FORM, body: '_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'GET abort of an unknown interaction', method: 'GET', path: `/interaction/${UNKNOWN_UID}/abort`, status: 400, error: 'invalid_request' },
  { name: 'GET abort of an unknown interaction (from a browser with a live interaction)', method: 'GET', path: `/interaction/${UNKNOWN_UID}/abort`, interaction: 'with-cookies', status: 400, error: 'invalid_request' },
  { name: 'POST abort to an unknown interaction (valid CSRF)', method: 'POST', path: `/interaction/${UNKNOWN_UID}/abort`, interaction: 'with-cookies', headers: FORM, body: '_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST abort to an unknown interaction (no cookies)', method: 'POST', path: `/interaction/${UNKNOWN_UID}/abort`, headers: FORM, body: '_csrf=abc', status: 403 },
  { name: 'HEAD an unknown interaction', method: 'HEAD', path: `/interaction/${UNKNOWN_UID}`, status: 400 },
  { name: 'GET an unknown interaction with a malformed Accept header', method: 'GET', path: `/interaction/${UNKNOWN_UID}`, headers: { accept: ',,;q=abc, application/json;q=2, */*;;' }, status: 400, error: 'invalid_request' },
  { name: 'GET an unknown interaction asking for JSON', method: 'GET', path: `/interaction/${UNKNOWN_UID}`, headers: { accept: 'application/json' }, status: 400, error: 'invalid_request' },
  { name: 'GET an over-long interaction uid', method: 'GET', path: `/interaction/${'u'.repeat(8000)}`, status: 400, error: 'invalid_request' },
  { name: 'uid with malformed percent-encoding', method: 'GET', path: '/interaction/%E0%A4%A', status: 400 },
  { name: 'POST login to a uid with malformed percent-encoding', method: 'POST', path: '/interaction/%C0%AF%ZZ/login', interaction: 'with-cookies', headers: FORM, body: VALID_LOGIN },

  // ---- interaction routes: the live interaction's login form, badly submitted ----
  { name: 'POST login without a CSRF token', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: form({ email: 'a@example.test', password: 'whatever-123' }), status: 403, error: 'csrf_failed' },
  { name: 'POST login with a wrong CSRF token', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: form({ email: 'a@example.test', password: 'whatever-123', _csrf: 'A'.repeat(43) }), status: 403, error: 'csrf_failed' },
  { name: 'POST login with a CSRF token of the wrong length', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&password=whatever-123&_csrf=%C3%A9', status: 403, error: 'csrf_failed' },
  { name: 'POST login with the CSRF token twice (array)', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&password=whatever-123&_csrf={csrf}&_csrf={csrf}', status: 403, error: 'csrf_failed' },
  { name: 'POST login with the CSRF token as an object', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&password=whatever-123&_csrf[length]=43', status: 403, error: 'csrf_failed' },
  { name: 'POST login with a tampered CSRF cookie', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { ...FORM, cookie: 'keystep.csrf={csrf}; keystep.csrf.sig=forged' }, body: VALID_LOGIN, status: 403, error: 'csrf_failed' },
  { name: 'POST login with a JSON body', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { 'content-type': 'application/json' }, body: '{"email":"a@example.test","password":"whatever-123","_csrf":"{csrf}"}', status: 400, error: 'invalid_request' },
  { name: 'POST login with a JSON body, asking for JSON', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"email":"a@example.test"', status: 400, error: 'invalid_request' },
  { name: 'POST login with a text/plain body', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { 'content-type': 'text/plain' }, body: VALID_LOGIN, status: 400 },
  { name: 'POST login with no body at all', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', status: 400 },
  { name: 'POST login with a form body over the 16 kB limit', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: `${VALID_LOGIN}&padding=${'x'.repeat(20_000)}`, status: 413 },
  { name: 'POST login with a 1 MB form body', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: `padding=${'x'.repeat(1_000_000)}`, status: 413 },
  // The form parser is pinned to UTF-8, whatever charset the request names: read as a normal (failed) attempt.
  { name: 'POST login with a form body in an unsupported charset', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' }, body: VALID_LOGIN, status: 401 },
  { name: 'POST login with an unsupported content-encoding', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { ...FORM, 'content-encoding': 'bogus' }, body: VALID_LOGIN, status: 415 },
  { name: 'POST login with a corrupt gzip body', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { ...FORM, 'content-encoding': 'gzip' }, body: 'this is not gzip', status: 400 },
  { name: 'POST login with a corrupt deflate body', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { ...FORM, 'content-encoding': 'deflate' }, body: 'this is not deflate', status: 400 },
  { name: 'POST confirm with a corrupt gzip body', method: 'POST', path: '/interaction/{uid}/confirm', interaction: 'with-cookies', headers: { ...FORM, 'content-encoding': 'gzip' }, body: '_csrf={csrf}', status: 400 },
  // Undecodable escapes are kept as they are (qs), so this is an ordinary failed attempt.
  { name: 'POST login with malformed percent-encoding in the form', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=%E0%A4%A&password=%&_csrf={csrf}&%=%%', status: 401 },
  { name: 'POST login without the email field', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'password=whatever-123&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST login without the password field', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST login with email[]=a&email[]=b', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email[]=a&email[]=b&password=whatever-123&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST login with the email field repeated', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&email=b%40example.test&password=whatever-123&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST login with the password as an object', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: 'email=a%40example.test&password[a][b]=c&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST login with an over-long password (2000 chars)', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: `email=a%40example.test&password=${'p'.repeat(2000)}&_csrf={csrf}`, status: 400, error: 'invalid_request' },
  { name: 'POST login with an over-long email (300 chars)', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: `email=${'e'.repeat(290)}%40example.test&password=whatever-123&_csrf={csrf}`, status: 400, error: 'invalid_request' },
  { name: 'POST login with a __proto__ field', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: '__proto__[email]=a&constructor[prototype][x]=1&password=whatever-123&_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST confirm while the prompt is still login', method: 'POST', path: '/interaction/{uid}/confirm', interaction: 'with-cookies', headers: FORM, body: '_csrf={csrf}', status: 400, error: 'invalid_request' },
  { name: 'POST confirm without a CSRF token', method: 'POST', path: '/interaction/{uid}/confirm', interaction: 'with-cookies', headers: FORM, body: '', status: 403, error: 'csrf_failed' },
  { name: 'POST abort without a CSRF token', method: 'POST', path: '/interaction/{uid}/abort', interaction: 'with-cookies', headers: FORM, body: '', status: 403, error: 'csrf_failed' },
  { name: 'GET the interaction page from another browser (no cookies)', method: 'GET', path: '/interaction/{uid}', interaction: 'without-cookies', status: 400, error: 'invalid_request' },
  { name: 'GET abort from another browser (no cookies)', method: 'GET', path: '/interaction/{uid}/abort', interaction: 'without-cookies', status: 400, error: 'invalid_request' },
  { name: 'POST login from another browser (no cookies)', method: 'POST', path: '/interaction/{uid}/login', interaction: 'without-cookies', headers: FORM, body: form({ email: 'a@example.test', password: 'whatever-123', _csrf: 'A'.repeat(43) }), status: 403, error: 'csrf_failed' },
  { name: 'GET the interaction page with a malformed cookie header', method: 'GET', path: '/interaction/{uid}', interaction: 'with-cookies', headers: { cookie: '_interaction=%%%; _interaction.sig=%zz; =; ;;; a; keystep.csrf="unterminated' }, status: 400, error: 'invalid_request' },
  { name: 'POST login with a malformed cookie header', method: 'POST', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: { ...FORM, cookie: '=====; keystep.csrf=%E0%A4%A; keystep.csrf.sig=\u00ff\u00fe' }, body: VALID_LOGIN, status: 403 },
  { name: 'PUT on the login route', method: 'PUT', path: '/interaction/{uid}/login', interaction: 'with-cookies', headers: FORM, body: VALID_LOGIN, status: 405 },
  { name: 'GET on the login route', method: 'GET', path: '/interaction/{uid}/login', interaction: 'with-cookies', status: 405 },

  // ---- authorization endpoint ----
  { name: 'authorization request with no parameters', method: 'GET', path: '/auth', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'authorization request with an unknown client_id', method: 'GET', path: '/auth?client_id=no-such-client&redirect_uri={redirect_uri}&response_type=code&scope=openid&code_challenge={challenge}&code_challenge_method=S256', status: 400, oauth: true, error: 'invalid_client' },
  { name: 'authorization request with a bad redirect_uri', method: 'GET', path: '/auth?client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.test%2Fcb&response_type=code&scope=openid&code_challenge={challenge}&code_challenge_method=S256', status: 400, oauth: true, error: 'invalid_redirect_uri' },
  { name: 'authorization request with a relative redirect_uri', method: 'GET', path: '/auth?client_id={client_id}&redirect_uri=%2Fcallback&response_type=code&scope=openid&code_challenge={challenge}&code_challenge_method=S256', status: 400, oauth: true },
  { name: 'authorization request with client_id given twice', method: 'GET', path: '/auth?client_id={client_id}&client_id=other&response_type=code&scope=openid', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'authorization request without code_challenge (PKCE is required)', method: 'GET', path: '/auth?client_id={client_id}&redirect_uri={redirect_uri}&response_type=code&scope=openid&state=st4te', redirectError: 'invalid_request' },
  { name: 'authorization request with code_challenge_method=plain', method: 'GET', path: '/auth?client_id={client_id}&redirect_uri={redirect_uri}&response_type=code&scope=openid&code_challenge={challenge}&code_challenge_method=plain&state=st4te', redirectError: 'invalid_request' },
  { name: 'authorization request with an unsupported response_type', method: 'GET', path: `/auth?${AUTH_OK}&response_type=token`, redirectError: 'unsupported_response_type' },
  { name: 'authorization request with a response_type the client may not use', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code%20id_token`, redirectError: 'unsupported_response_type' },
  { name: 'authorization request with an unknown response_mode', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&response_mode=carrier_pigeon`, redirectError: 'unsupported_response_mode' },
  { name: 'authorization request with a garbage request object (request objects are off)', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&request=not.a.jwt`, redirectError: 'request_not_supported' },
  { name: 'authorization request with a request_uri (not supported)', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&request_uri=https%3A%2F%2Fevil.test%2Fr`, redirectError: 'request_uri_not_supported' },
  { name: 'authorization request with a garbage id_token_hint', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&id_token_hint=garbage`, redirectError: 'invalid_request' },
  { name: 'authorization request with a bad max_age', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&max_age=soon`, redirectError: 'invalid_request' },
  { name: 'authorization request with an unknown resource', method: 'GET', path: `/auth?${AUTH_OK}&response_type=code&resource=https%3A%2F%2Fnope.test`, redirectError: 'invalid_target' },
  { name: 'authorization request with a 10 kB query', method: 'GET', path: `/auth?client_id=no-such-client&junk=${'j'.repeat(10_000)}`, status: 400, oauth: true, error: 'invalid_client' },
  { name: 'authorization request with a 20 kB query', method: 'GET', path: `/auth?client_id={client_id}&junk=${'j'.repeat(20_000)}`, status: 431 },
  // POST on the authorization endpoint is off (oidc-provider's enableHttpPostMethods default): a plain 404.
  { name: 'authorization request POSTed as JSON', method: 'POST', path: '/auth', headers: { 'content-type': 'application/json' }, body: '{"client_id":', status: 404 },
  { name: 'authorization request POSTed as a form', method: 'POST', path: '/auth', headers: FORM, body: 'client_id=no-such-client&response_type=code', status: 404 },
  { name: 'authorization request POSTed with an oversized form', method: 'POST', path: '/auth', headers: FORM, body: `client_id=x&junk=${'j'.repeat(1_000_000)}` },
  { name: 'authorization request with malformed percent-encoding', method: 'GET', path: '/auth?client_id=%E0%A4%A&redirect_uri=%', status: 400, oauth: true },
  { name: 'authorization request with a malformed cookie header', method: 'GET', path: '/auth?client_id=no-such-client', headers: { cookie: '_session=%%%; _session.sig=; =x; ;' }, status: 400, oauth: true, error: 'invalid_client' },

  // ---- token endpoint ----
  { name: 'token request with bad JSON', method: 'POST', path: '/token', headers: { authorization: '{basic}', 'content-type': 'application/json' }, body: '{"grant_type": "authorization_code", ', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with valid JSON (forms only)', method: 'POST', path: '/token', headers: { authorization: '{basic}', 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with no body', method: 'POST', path: '/token', headers: { authorization: '{basic}' }, status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with no grant_type', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'code=abc', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with a wrong grant_type', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=password&username=a&password=b', status: 400, oauth: true, error: 'unsupported_grant_type' },
  { name: 'token request with grant_type given twice', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=client_credentials&grant_type=authorization_code', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with a bogus code', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=authorization_code&code=bogus-code&redirect_uri={redirect_uri}&code_verifier=' + 'v'.repeat(43), status: 400, oauth: true, error: 'invalid_grant' },
  { name: 'token request with a bogus refresh token', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=refresh_token&refresh_token=bogus', status: 400, oauth: true, error: 'invalid_grant' },
  { name: 'token request with a code but no redirect_uri or verifier', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=authorization_code&code=bogus-code', status: 400, oauth: true, error: ['invalid_request', 'invalid_grant'] },
  { name: 'token request without client authentication', method: 'POST', path: '/token', headers: FORM, body: 'grant_type=authorization_code&code=bogus-code&redirect_uri={redirect_uri}&code_verifier=' + 'v'.repeat(43), oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'token request naming the client but not authenticating', method: 'POST', path: '/token', headers: FORM, body: 'grant_type=client_credentials&client_id={client_id}', status: 401, oauth: true, error: 'invalid_client' },
  { name: 'token request with a wrong client secret', method: 'POST', path: '/token', headers: { ...FORM, authorization: `Basic ${Buffer.from('{client_id}:wrong').toString('base64')}` }, body: 'grant_type=client_credentials', status: 401, oauth: true, error: 'invalid_client' },
  { name: 'token request with garbage Basic credentials', method: 'POST', path: '/token', headers: { ...FORM, authorization: 'Basic !!!not-base64!!!' }, body: 'grant_type=client_credentials', oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'token request with Basic credentials without a colon', method: 'POST', path: '/token', headers: { ...FORM, authorization: `Basic ${Buffer.from('just-an-id').toString('base64')}` }, body: 'grant_type=client_credentials', oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'token request with malformed percent-encoding in Basic credentials', method: 'POST', path: '/token', headers: { ...FORM, authorization: `Basic ${Buffer.from('%E0%A4%A:%zz').toString('base64')}` }, body: 'grant_type=client_credentials', oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'token request with an unknown client', method: 'POST', path: '/token', headers: { ...FORM, authorization: `Basic ${Buffer.from('nobody:nothing').toString('base64')}` }, body: 'grant_type=client_credentials', status: 401, oauth: true, error: 'invalid_client' },
  // RFC 6749 names this unauthorized_client; oidc-provider answers invalid_request.
  { name: 'client_credentials for a public client', method: 'POST', path: '/token', headers: FORM, body: 'grant_type=client_credentials&client_id={public_client_id}', status: 400, oauth: true, error: ['unauthorized_client', 'invalid_request'] },
  { name: 'client_credentials for an unknown resource', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: 'grant_type=client_credentials&resource=https%3A%2F%2Fnope.test', status: 400, oauth: true, error: 'invalid_target' },
  { name: 'token request with a corrupt gzip body', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}', 'content-encoding': 'gzip' }, body: '\u001f\u008b garbage', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'token request with an oversized form', method: 'POST', path: '/token', headers: { ...FORM, authorization: '{basic}' }, body: `grant_type=client_credentials&junk=${'j'.repeat(1_000_000)}`, oauth: true },
  { name: 'GET on the token endpoint', method: 'GET', path: '/token' },

  // ---- userinfo ----
  { name: 'userinfo with no token', method: 'GET', path: '/me', status: 401, oauth: true, error: 'invalid_token' },
  { name: 'userinfo with a garbage bearer token', method: 'GET', path: '/me', headers: { authorization: 'Bearer garbage' }, status: 401, oauth: true, error: 'invalid_token' },
  { name: 'userinfo with a garbage JWT-shaped bearer token', method: 'GET', path: '/me', headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }, status: 401, oauth: true, error: 'invalid_token' },
  { name: 'userinfo with an empty bearer token', method: 'GET', path: '/me', headers: { authorization: 'Bearer ' }, oauth: true, error: ['invalid_request', 'invalid_token'] },
  { name: 'userinfo with a Basic authorization header', method: 'GET', path: '/me', headers: { authorization: '{basic}' }, oauth: true, error: ['invalid_request', 'invalid_token'] },
  { name: 'userinfo with the token in both header and query', method: 'GET', path: '/me?access_token=a', headers: { authorization: 'Bearer b' }, status: 400, oauth: true, error: 'invalid_request' },
  { name: 'userinfo POSTed with a garbage form token', method: 'POST', path: '/me', headers: FORM, body: 'access_token=garbage', oauth: true, error: ['invalid_request', 'invalid_token'] },

  // ---- introspection / revocation ----
  { name: 'introspection without client authentication', method: 'POST', path: '/token/introspection', headers: FORM, body: 'token=abc', oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'introspection with a wrong client secret', method: 'POST', path: '/token/introspection', headers: { ...FORM, authorization: `Basic ${Buffer.from('{client_id}:wrong').toString('base64')}` }, body: 'token=abc', status: 401, oauth: true, error: 'invalid_client' },
  { name: 'introspection without a token', method: 'POST', path: '/token/introspection', headers: { ...FORM, authorization: '{basic}' }, body: '', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'revocation without client authentication', method: 'POST', path: '/token/revocation', headers: FORM, body: 'token=abc', oauth: true, error: ['invalid_client', 'invalid_request'] },
  { name: 'revocation with a wrong client secret', method: 'POST', path: '/token/revocation', headers: { ...FORM, authorization: `Basic ${Buffer.from('{client_id}:wrong').toString('base64')}` }, body: 'token=abc', status: 401, oauth: true, error: 'invalid_client' },
  { name: 'revocation without a token', method: 'POST', path: '/token/revocation', headers: { ...FORM, authorization: '{basic}' }, body: '', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'revocation with bad JSON', method: 'POST', path: '/token/revocation', headers: { 'content-type': 'application/json', authorization: '{basic}' }, body: '{', status: 400, oauth: true, error: 'invalid_request' },

  // ---- end session ----
  { name: 'end_session with a garbage id_token_hint', method: 'GET', path: '/session/end?id_token_hint=garbage', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'end_session with a JWT-shaped garbage id_token_hint', method: 'GET', path: '/session/end?id_token_hint=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln', status: 400, oauth: true, error: ['invalid_request', 'invalid_client'] },
  { name: 'end_session with an unregistered post_logout_redirect_uri', method: 'GET', path: '/session/end?client_id={client_id}&post_logout_redirect_uri=https%3A%2F%2Fevil.test%2F', status: 400, oauth: true, error: 'invalid_request' },
  { name: 'end_session with an unknown client_id', method: 'GET', path: '/session/end?client_id=no-such-client', status: 400, oauth: true, error: 'invalid_client' },
  { name: 'end_session confirmation without the xsrf token', method: 'POST', path: '/session/end/confirm', headers: FORM, body: 'logout=yes', status: 400, oauth: true, error: 'invalid_request' },

  // ---- other endpoints ----
  { name: 'POST /jwks', method: 'POST', path: '/jwks', headers: FORM, body: 'a=b' },
  { name: 'DELETE the discovery document', method: 'DELETE', path: '/.well-known/openid-configuration' },
  { name: 'an unknown path', method: 'GET', path: '/no/such/thing', status: 404 },
  { name: 'an unknown path with a malformed percent-encoding', method: 'GET', path: '/%E0%A4%A', status: 404 },
  { name: 'an unknown path under /interaction', method: 'GET', path: '/interaction', status: 404 },
  { name: 'an unknown path under an interaction', method: 'GET', path: '/interaction/{uid}/nothing', interaction: 'with-cookies', status: 404 },
  { name: '/demo when the demo is disabled', method: 'GET', path: '/demo', status: 404 },
  { name: '/demo/callback when the demo is disabled', method: 'GET', path: '/demo/callback?code=x&state=y', status: 404 },
  { name: 'POST /healthz', method: 'POST', path: '/healthz', status: 405 },
  { name: 'POST to the stylesheet', method: 'POST', path: '/assets/keystep.css', status: 405 },
];

/** Placeholder values, filled in once the server is up. */
const values: Record<string, string> = {};
const fill = (s: string, extra: Record<string, string>) =>
  s.replace(/\{(\w+)\}/g, (m, key: string) => extra[key] ?? values[key] ?? m);

/** A stack trace, or an error message naming a source file. */
const LEAK = /^\s+at .+|Error: .*(\/|\\)[\w.-]+\.(ts|js|mjs|cjs)|node_modules|\/work\//m;

function errorCode(res: Response, body: string): string | undefined {
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      return typeof parsed.error === 'string' ? parsed.error : undefined;
    } catch {
      return undefined;
    }
  }
  return /Error code: <code>([^<]*)<\/code>/.exec(body)?.[1];
}

describe('malformed requests', () => {
  let ks: TestKeystep;

  beforeAll(async () => {
    ks = await startTestKeystep();
    const rp = await registerClient(ks);
    const pub = await registerClient(ks, { public: true });
    const auth = await authorizationRequest(rp.config);
    Object.assign(values, {
      client_id: rp.clientId,
      public_client_id: pub.clientId,
      redirect_uri: encodeURIComponent(REDIRECT_URI),
      challenge: auth.url.searchParams.get('code_challenge')!,
      basic: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`,
    });
    values.rp_auth_url = auth.url.href;
  });
  afterAll(async () => ks?.stop());

  /** A browser that has started an authorization request and sits on the login page. */
  async function liveInteraction(): Promise<{ browser: Browser; uid: string; csrf: string }> {
    const browser = new Browser(ks.issuer);
    const auth = new URL(values.rp_auth_url!);
    auth.searchParams.set('state', Math.random().toString(36).slice(2));
    const page = await browser.page(auth.href);
    const uid = /\/interaction\/([^/?#]+)$/.exec(page.url)?.[1];
    const csrf = page.doc.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!uid || !csrf || page.status !== 200) throw new Error(`no login page at ${page.url} (${page.status})`);
    return { browser, uid, csrf };
  }

  test.each(cases)('$name', async (c) => {
    const extra: Record<string, string> = {};
    let browser: Browser | undefined;
    if (c.interaction) {
      const live = await liveInteraction();
      Object.assign(extra, { uid: live.uid, csrf: live.csrf });
      if (c.interaction === 'with-cookies') browser = live.browser;
    }
    const url = ks.issuer + fill(c.path, extra);
    const headers: Record<string, string> = { 'user-agent': 'keystep-bad-input-test' };
    const jarCookie = browser ? await browser.jar.getCookieString(url) : '';
    if (jarCookie) headers.cookie = jarCookie;
    for (const [k, v] of Object.entries(c.headers ?? {})) headers[k] = fill(v, extra);

    let res: Response;
    try {
      res = await fetch(url, {
        method: c.method,
        redirect: 'manual',
        headers,
        body: c.body === undefined ? undefined : fill(c.body, extra),
      });
    } catch (err) {
      // The server may close the connection on a body it refuses to read; that is not a 5xx, but
      // a response is still expected.
      throw new Error(`no response: ${(err as Error).message}`, { cause: err });
    }
    const body = await res.text();
    const summary = `${c.method} ${c.path} -> ${res.status}\n${body.slice(0, 600)}`;

    // Each assertion names the request and shows the response when it fails.
    const check = (ok: boolean, what: string) => expect(ok ? 'ok' : `${what}\n${summary}`).toBe('ok');

    check(res.status < 500, 'a 5xx');
    check(!LEAK.test(body), 'the body leaks a stack trace or a source path');

    if (c.redirectError) {
      // A verified client gets the error at its redirect_uri, with its state.
      check(res.status === 302 || res.status === 303, 'expected an error redirect to the client');
      const location = new URL(res.headers.get('location') ?? '', url);
      check(`${location.origin}${location.pathname}` === REDIRECT_URI, `redirected to ${location.href}, not the client`);
      // response_type=token would answer in the fragment (its default response_mode).
      const params = location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
      const error = params.get('error') ?? '';
      check(error === c.redirectError, `redirect error ${error}, expected ${c.redirectError}`);
      check(OAUTH_ERRORS.has(error), `${error} is not an OAuth error code`);
      check(params.get('state') === 'st4te', 'state not echoed');
      return;
    }

    check(res.status >= 400 && res.status < 500, 'expected a 4xx');
    if (c.status) check(res.status === c.status, `expected status ${c.status}`);
    const code = errorCode(res, body);
    if (c.error) {
      const allowed = Array.isArray(c.error) ? c.error : [c.error];
      check(code !== undefined && allowed.includes(code), `error code ${code}, expected ${allowed.join(' or ')}`);
    }
    if (c.oauth && res.status !== 431) check(code !== undefined && OAUTH_ERRORS.has(code), `${code} is not an OAuth error code`);
  });
});
