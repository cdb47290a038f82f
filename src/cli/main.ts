// The keystep command line: `npx keystep …` or `npm run cli -- …`.
import { Command, Option } from 'commander';
import { loadSettings, ConfigurationError, type Settings } from '../config.js';
import { execute, migrateStore } from './executor.js';
import { InvalidAdminInput } from '../admin/errors.js';
import { DataDirInUse } from '../store/data-dir-lock.js';
import type { OperationName } from '../admin/operations.js';
import { formatText } from './output.js';

const program = new Command('keystep')
  .description('Keystep identity provider administration')
  .option('--json', 'print machine-readable JSON')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

let settingsCache: Settings | undefined;
const settings = () => (settingsCache ??= loadSettings());
const json = () => Boolean(program.opts().json);

async function run(name: OperationName, input: unknown): Promise<void> {
  const { result } = await execute(settings(), name, input);
  process.stdout.write(json() ? `${JSON.stringify(result, null, 2)}\n` : formatText(name, result));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function wholeNumber(flag: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidAdminInput(`${flag} takes a whole number`);
    return Number(v);
  };
}

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const { applied, note } = await migrateStore(settings());
    if (json()) process.stdout.write(`${JSON.stringify({ applied, ...(note ? { note } : {}) })}\n`);
    else process.stdout.write(note ? `${note}\n` : applied.length ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n');
  });

const org = program.command('org').description('organisations');
org
  .command('create <slug>')
  .option('--name <name>', 'display name')
  .addOption(new Option('--mfa <mode>', 'MFA policy').choices(['off', 'optional', 'required']))
  .action((slug: string, o: { name?: string; mfa?: string }) => run('org.create', { slug, name: o.name, mfa: o.mfa }));
org.command('list').action(() => run('org.list', {}));
org
  .command('set-mfa <slug>')
  .addOption(new Option('--mode <mode>', 'MFA policy').choices(['off', 'optional', 'required', 'adaptive']).makeOptionMandatory())
  .option('--grace-days <n>', 'days a new user may skip required enrolment (0-30)', wholeNumber('--grace-days'))
  .option('--remember-device-days <n>', '"Trust this device" lasts this many days (0 = off, up to 90)', wholeNumber('--remember-device-days'))
  .action((slug: string, o: { mode: string; graceDays?: number; rememberDeviceDays?: number }) =>
    run('org.set-mfa', { slug, mode: o.mode, graceDays: o.graceDays, rememberDeviceDays: o.rememberDeviceDays }),
  );
org
  .command('set-risk <slug>')
  .description('adaptive-mode risk settings (see README)')
  .option('--threshold <n>', 'score at which MFA is required', wholeNumber('--threshold'))
  .option('--weight <signal=n>', 'newDevice, newCountry, impossibleTravel, failureVelocity or deniedIp (repeatable)', collect, [])
  .option('--travel-kmh <n>', 'speed above which travel is impossible', wholeNumber('--travel-kmh'))
  .option('--ip-allow <cidr>', 'trusted network (repeatable; replaces the list)', collect, undefined)
  .option('--ip-deny <cidr>', 'denied network (repeatable; replaces the list)', collect, undefined)
  .action((slug: string, o: { threshold?: number; weight: string[]; travelKmh?: number; ipAllow?: string[]; ipDeny?: string[] }) => {
    const weights = Object.fromEntries(
      o.weight.map((w) => {
        const m = /^(\w+)=(\d+)$/.exec(w);
        if (!m) throw new InvalidAdminInput(`--weight takes signal=number (got "${w}")`);
        return [m[1], Number(m[2])];
      }),
    );
    return run('org.set-risk', { slug, threshold: o.threshold, weights: o.weight.length ? weights : undefined, impossibleTravelKmh: o.travelKmh, ipAllow: o.ipAllow, ipDeny: o.ipDeny });
  });

org
  .command('set-webauthn <slug>')
  .description('WebAuthn attestation policy (direct: only allow-listed, attested authenticators; needed for aal3)')
  .addOption(new Option('--attestation <mode>', 'none or direct').choices(['none', 'direct']))
  .option('--aaguid <aaguid>', 'allowed authenticator model (repeatable; replaces the list)', collect, undefined)
  .addOption(new Option('--offer-passkeys <on|off>', 'offer a passkey after a password + code sign-in').choices(['on', 'off']))
  .action((slug: string, o: { attestation?: string; aaguid?: string[]; offerPasskeys?: string }) =>
    run('org.set-webauthn', { slug, attestation: o.attestation, aaguids: o.aaguid, offerPasskeys: o.offerPasskeys === undefined ? undefined : o.offerPasskeys === 'on' }),
  );

const user = program.command('user').description('user accounts');
user
  .command('create <email>')
  .requiredOption('--org <slug>', 'organisation')
  .option('--password <password>', 'initial password (visible in the process list; prefer --password-stdin)')
  .option('--password-stdin', 'read the password from standard input')
  .option('--name <name>', 'display name')
  .action(async (email: string, o: { org: string; password?: string; passwordStdin?: boolean; name?: string }) => {
    if (o.password !== undefined && o.passwordStdin) throw new InvalidAdminInput('use either --password or --password-stdin');
    const password = o.passwordStdin ? await readStdin() : o.password;
    await run('user.create', { email, org: o.org, password, name: o.name });
  });
user
  .command('list')
  .option('--org <slug>', 'only this organisation')
  .action((o: { org?: string }) => run('user.list', { org: o.org }));

user
  .command('mfa <email>')
  .description("show a user's enrolled factors, last MFA time and remaining backup codes")
  .action((email: string) => run('user.mfa', { email }));
user
  .command('remove-factor <email> <factor-id>')
  .description('remove one enrolled factor (ids from `user mfa`)')
  .action((email: string, factorId: string) => run('user.remove-factor', { email, factorId }));
user
  .command('reset-mfa <email>')
  .description("remove all of a user's factors, backup codes and MFA locks")
  .action((email: string) => run('user.reset-mfa', { email }));

const devices = user.command('devices').description("a user's trusted (remembered) devices");
devices
  .command('list <email>', { isDefault: true })
  .description('list them')
  .action((email: string) => run('user.devices', { email }));
devices
  .command('revoke <email>')
  .description('revoke one (--device) or all (--all)')
  .option('--device <id>', 'the device id')
  .option('--all', 'every device of the user')
  .action((email: string, o: { device?: string; all?: boolean }) => run('user.devices-revoke', { email, deviceId: o.device, all: Boolean(o.all) }));

const client = program.command('client').description('OIDC clients');
client
  .command('create <name>')
  .option('--redirect-uri <uri>', 'allowed redirect URI (repeatable)', collect, [])
  .option('--post-logout-redirect-uri <uri>', 'allowed post-logout redirect URI (repeatable)', collect, [])
  .option('--org <slug>', 'owning organisation')
  .option('--public', 'a public client (no secret; PKCE only)')
  .action((name: string, o: { redirectUri: string[]; postLogoutRedirectUri: string[]; org?: string; public?: boolean }) =>
    run('client.create', { name, redirectUris: o.redirectUri, postLogoutRedirectUris: o.postLogoutRedirectUri, org: o.org, public: Boolean(o.public) }),
  );
client.command('list').action(() => run('client.list', {}));
client
  .command('set-policy <client_id>')
  .description("the client's authentication requirements (see README: step-up)")
  .option('--minimum-acr <acr>', 'every authorization needs at least this level (or none)')
  .addOption(new Option('--mfa-required <bool>', 'MFA whatever the organisation says').choices(['true', 'false']))
  .option('--default-acr <acr>', 'level asked for when a request names none (or none)')
  .addOption(new Option('--acr-enforcement <mode>', 'strict: acr_values are demands; lenient: wishes').choices(['strict', 'lenient']))
  .action((clientId: string, o: { minimumAcr?: string; mfaRequired?: string; defaultAcr?: string; acrEnforcement?: string }) =>
    run('client.set-policy', {
      clientId,
      minimumAcr: o.minimumAcr,
      mfaRequired: o.mfaRequired === undefined ? undefined : o.mfaRequired === 'true',
      defaultAcr: o.defaultAcr,
      acrEnforcement: o.acrEnforcement,
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const known = err instanceof InvalidAdminInput || err instanceof ConfigurationError || err instanceof DataDirInUse;
  process.stderr.write(`keystep: ${known ? '' : 'error: '}${(err as Error).message}\n`);
  process.exitCode = known ? 2 : 1;
}
