// loadSettings (src/config.ts, schema in config/schema.ts): defaults, derived values, the
// cross-setting rules, one ConfigurationError naming the variable for each bad value, and the
// optional JSON file that the environment overrides.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError, loadSettings } from '../../src/config.js';

const HEX_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const PG = 'postgres://keystep:pw@db.internal:5432/keystep';

function configError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    loadSettings(env);
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw new Error(`expected a ConfigurationError, got ${String(err)}`);
  }
  throw new Error('expected loadSettings to throw');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'keystep-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
function writeConfig(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('defaults (empty environment)', () => {
  const s = loadSettings({});

  test.each<[string, unknown, unknown]>([
    ['port', s.port, 3000],
    ['issuer', s.issuer, 'http://localhost:3000'],
    ['databaseUrl', s.databaseUrl, undefined],
    ['dataDir', s.dataDir, path.resolve(process.cwd(), 'data')],
    ['demo', s.demo, true],
    ['trustProxy', s.trustProxy, false],
    ['encryptionKey', s.encryptionKey, undefined],
    ['acrValues', s.acrValues, ['aal1', 'aal2', 'phr', 'phrh', 'aal3']],
    ['resources', s.resources, []],
    ['login', s.login, { maxFailures: 10, maxAttemptsPerIp: 100, lockoutSeconds: 900 }],
    ['mfa', s.mfa, { maxFailures: 10, lockoutSeconds: 60, totpIssuer: 'Keystep' }],
    ['ttl', s.ttl, { accessToken: 3600, idToken: 3600, refreshToken: 14 * 86400, session: 14 * 86400 }],
    ['sweepIntervalSeconds', s.sweepIntervalSeconds, 300],
    ['logLevel', s.logLevel, 'info'],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  test('the data dir is absolute', () => {
    expect(path.isAbsolute(s.dataDir)).toBe(true);
  });

  test('empty variables count as unset', () => {
    expect(loadSettings({ PORT: '', KEYSTEP_ISSUER: '', KEYSTEP_LOG_LEVEL: '' })).toEqual(s);
  });
});

describe('derived values', () => {
  test.each([
    ['https://id.example.com/', 'https://id.example.com'],
    ['https://id.example.com//', 'https://id.example.com'],
    ['https://id.example.com/tenant/', 'https://id.example.com/tenant'],
    ['https://id.example.com', 'https://id.example.com'],
    ['http://localhost:8080/', 'http://localhost:8080'],
  ])('KEYSTEP_ISSUER=%s → issuer %s', (value, issuer) => {
    expect(loadSettings({ KEYSTEP_ISSUER: value }).issuer).toBe(issuer);
  });

  test('the default issuer follows PORT', () => {
    expect(loadSettings({ PORT: '8443' })).toMatchObject({ port: 8443, issuer: 'http://localhost:8443' });
  });

  test.each([
    ['./data', path.resolve(process.cwd(), 'data')],
    ['relative/dir', path.resolve(process.cwd(), 'relative/dir')],
    ['/var/lib/keystep', '/var/lib/keystep'],
    [':memory:', ':memory:'],
  ])('KEYSTEP_DATA_DIR=%s → %s', (value, dataDir) => {
    expect(loadSettings({ KEYSTEP_DATA_DIR: value }).dataDir).toBe(dataDir);
  });

  test.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('KEYSTEP_DEMO=%s → demo %s', (value, demo) => {
    expect(loadSettings({ KEYSTEP_DEMO: value }).demo).toBe(demo);
  });

  test('KEYSTEP_ACR_VALUES is a trimmed comma list', () => {
    expect(loadSettings({ KEYSTEP_ACR_VALUES: ' low , high ,' }).acrValues).toEqual(['low', 'high']);
  });

  test.each([
    ['64 hex characters', HEX_KEY],
    ['base64', Buffer.from(HEX_KEY, 'hex').toString('base64')],
    ['base64url', Buffer.from(HEX_KEY, 'hex').toString('base64url')],
  ])('KEYSTEP_ENCRYPTION_KEY as %s decodes to the 32 key bytes', (_label, value) => {
    expect(loadSettings({ KEYSTEP_ENCRYPTION_KEY: value }).encryptionKey).toEqual(Buffer.from(HEX_KEY, 'hex'));
  });
});

describe('DATABASE_URL', () => {
  test('turns the demo off and keeps the URL and key', () => {
    const s = loadSettings({ DATABASE_URL: PG, KEYSTEP_ENCRYPTION_KEY: HEX_KEY });
    expect(s.demo).toBe(false);
    expect(s.databaseUrl).toBe(PG);
    expect(s.encryptionKey).toEqual(Buffer.from(HEX_KEY, 'hex'));
  });

  test('accepts postgresql:// and an explicit KEYSTEP_DEMO=false', () => {
    expect(loadSettings({ DATABASE_URL: 'postgresql://h/db', KEYSTEP_ENCRYPTION_KEY: HEX_KEY, KEYSTEP_DEMO: 'false' }).demo).toBe(false);
  });

  test('requires KEYSTEP_ENCRYPTION_KEY', () => {
    expect(configError({ DATABASE_URL: PG }).message).toMatch(/^KEYSTEP_ENCRYPTION_KEY: /);
  });

  test.each(['true', '1', 'yes'])('KEYSTEP_DEMO=%s with DATABASE_URL is an error', (demo) => {
    expect(configError({ DATABASE_URL: PG, KEYSTEP_ENCRYPTION_KEY: HEX_KEY, KEYSTEP_DEMO: demo }).message).toMatch(/^KEYSTEP_DEMO: /);
  });
});

describe('invalid values throw a ConfigurationError starting with the variable name', () => {
  test.each<[string, NodeJS.ProcessEnv]>([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '0' }],
    ['PORT', { PORT: '80.5' }],
    ['KEYSTEP_ISSUER', { KEYSTEP_ISSUER: 'not-a-url' }],
    ['KEYSTEP_ISSUER', { KEYSTEP_ISSUER: 'ftp://id.example.com' }],
    ['KEYSTEP_ISSUER', { KEYSTEP_ISSUER: 'https://id.example.com/#frag' }],
    ['KEYSTEP_MFA_MAX_FAILURES', { KEYSTEP_MFA_MAX_FAILURES: '101' }],
    ['KEYSTEP_MFA_MAX_FAILURES', { KEYSTEP_MFA_MAX_FAILURES: '0' }],
    ['KEYSTEP_LOGIN_MAX_FAILURES', { KEYSTEP_LOGIN_MAX_FAILURES: '101' }],
    ['KEYSTEP_ENCRYPTION_KEY', { KEYSTEP_ENCRYPTION_KEY: HEX_KEY.slice(2) }],
    ['KEYSTEP_ENCRYPTION_KEY', { KEYSTEP_ENCRYPTION_KEY: 'c2hvcnQ=' }],
    ['KEYSTEP_LOG_LEVEL', { KEYSTEP_LOG_LEVEL: 'loud' }],
    ['KEYSTEP_DEMO', { KEYSTEP_DEMO: 'maybe' }],
    ['KEYSTEP_TRUST_PROXY', { KEYSTEP_TRUST_PROXY: 'on' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://h/db', KEYSTEP_ENCRYPTION_KEY: HEX_KEY }],
    ['KEYSTEP_ACCESS_TOKEN_TTL', { KEYSTEP_ACCESS_TOKEN_TTL: '59' }],
    ['KEYSTEP_RESOURCES', { KEYSTEP_RESOURCES: 'https://api.example.com,not a uri' }],
  ])('%s (%j)', (name, env) => {
    expect(configError(env).message).toMatch(new RegExp(`^${name}: `));
  });

  test.each([
    ['with a query', 'https://id.example.com/?tenant=a'],
    ['with an empty query', 'https://id.example.com/?'],
    ['with an empty fragment', 'https://id.example.com/#'],
  ])('KEYSTEP_ISSUER %s is refused (OIDC issuers have no query or fragment; oidc-provider asserts this at start-up)', (_label, value) => {
    expect(configError({ KEYSTEP_ISSUER: value }).message).toMatch(/^KEYSTEP_ISSUER: /);
  });

  test.each<[string, NodeJS.ProcessEnv, string]>([
    ['a malformed encryption key', { KEYSTEP_ENCRYPTION_KEY: HEX_KEY.slice(2) }, HEX_KEY.slice(2)],
    ['a database URL with a password', { DATABASE_URL: 'mysql://keystep:hunter2-secret@db/keystep' }, 'hunter2-secret'],
  ])('the message does not echo %s (it ends up in logs)', (_label, env, secret) => {
    const err = configError(env);
    expect(err.message).toMatch(/^(KEYSTEP_ENCRYPTION_KEY|DATABASE_URL): /);
    expect(err.message).not.toContain(secret);
  });
});

describe('KEYSTEP_CONFIG_FILE', () => {
  test('is read, and the environment overrides it', () => {
    const file = writeConfig(
      'keystep.json',
      JSON.stringify({
        PORT: 4000,
        KEYSTEP_ISSUER: 'https://file.example.com/',
        KEYSTEP_LOG_LEVEL: 'warn',
        KEYSTEP_ACR_VALUES: ['low', 'high'],
        KEYSTEP_MFA_MAX_FAILURES: 5,
        KEYSTEP_TRUST_PROXY: true,
      }),
    );
    const fromFile = loadSettings({ KEYSTEP_CONFIG_FILE: file });
    expect(fromFile).toMatchObject({
      port: 4000,
      issuer: 'https://file.example.com',
      logLevel: 'warn',
      acrValues: ['low', 'high'],
      trustProxy: true,
      mfa: { maxFailures: 5 },
    });

    const overridden = loadSettings({ KEYSTEP_CONFIG_FILE: file, PORT: '5000', KEYSTEP_LOG_LEVEL: 'debug' });
    expect(overridden).toMatchObject({ port: 5000, logLevel: 'debug', issuer: 'https://file.example.com', mfa: { maxFailures: 5 } });
  });

  test('an empty variable does not override the file', () => {
    const file = writeConfig('port.json', '{"PORT": 4001}');
    expect(loadSettings({ KEYSTEP_CONFIG_FILE: file, PORT: '' }).port).toBe(4001);
  });

  test('null in the file means unset (the default applies)', () => {
    const file = writeConfig('null.json', '{"PORT": null}');
    expect(loadSettings({ KEYSTEP_CONFIG_FILE: file }).port).toBe(3000);
  });

  test('a bad value in the file names the variable', () => {
    const file = writeConfig('bad-value.json', '{"KEYSTEP_MFA_MAX_FAILURES": 101}');
    expect(configError({ KEYSTEP_CONFIG_FILE: file }).message).toMatch(/^KEYSTEP_MFA_MAX_FAILURES: /);
  });

  test('invalid JSON gives a ConfigurationError naming the setting and the file', () => {
    const file = writeConfig('broken.json', '{ "PORT": 4000, }');
    const err = configError({ KEYSTEP_CONFIG_FILE: file });
    expect(err.message).toMatch(/^KEYSTEP_CONFIG_FILE: /);
    expect(err.message).toContain(file);
  });

  test.each([
    ['an array', '[1, 2]'],
    ['a string', '"PORT=4000"'],
    ['null', 'null'],
  ])('a file holding %s is refused', (label, content) => {
    const file = writeConfig(`not-object-${label.replace(/\W/g, '')}.json`, content);
    const err = configError({ KEYSTEP_CONFIG_FILE: file });
    expect(err.message).toMatch(/^KEYSTEP_CONFIG_FILE: /);
    expect(err.message).toContain('must hold a JSON object');
  });

  test('a missing file is a ConfigurationError naming the setting', () => {
    const missing = path.join(dir, 'does-not-exist.json');
    const err = configError({ KEYSTEP_CONFIG_FILE: missing });
    expect(err.message).toMatch(/^KEYSTEP_CONFIG_FILE: /);
    expect(err.message).toContain(missing);
  });
});
