// Human-readable CLI output (the --json output is the operation result itself).
import type { OperationName } from '../admin/operations.js';

type Row = Record<string, unknown>;

function table(rows: Row[], columns: string[]): string {
  if (!rows.length) return '(none)\n';
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(' ') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function formatText(name: OperationName, result: unknown): string {
  const r = result as Record<string, Row & Row[]>;
  switch (name) {
    case 'org.create':
      return `created organisation ${r.organisation!.slug} (MFA ${r.organisation!.mfa_mode})\n`;
    case 'org.list':
      return table(r.organisations!, ['slug', 'name', 'mfa_mode', 'mfa_grace_days']);
    case 'org.set-mfa':
      return `organisation ${r.organisation!.slug}: MFA ${r.organisation!.mfa_mode}, grace ${r.organisation!.mfa_grace_days} days, remember device ${r.organisation!.remember_device_days} days\n`;
    case 'user.mfa': {
      const m = result as Row & { factors: Row[] };
      return `${m.email}\nlast MFA: ${m.last_mfa_at ?? 'never'}\nbackup codes remaining: ${m.backup_codes_remaining}\n${table(m.factors, ['kind', 'name', 'id', 'created_at', 'last_used_at', 'aaguid', 'backed_up'])}`;
    }
    case 'user.remove-factor': {
      const m = result as Row & { removed: Row };
      return `removed ${m.removed.kind} factor "${m.removed.name}" (${m.removed.id}) of ${m.email}\n`;
    }
    case 'user.reset-mfa': {
      const m = result as Row;
      return `reset MFA of ${m.email}: removed ${m.removed_factors} factor(s), all backup codes and locks\n`;
    }
    case 'org.set-risk': {
      const p = (result as { risk_policy: Row }).risk_policy;
      return `organisation ${r.organisation!.slug}: risk policy ${JSON.stringify(p)}\n`;
    }
    case 'org.set-webauthn': {
      const p = (result as { webauthn_policy: Row }).webauthn_policy;
      return `organisation ${r.organisation!.slug}: WebAuthn attestation ${p.attestation}, allowed AAGUIDs ${(p.aaguids as string[]).join(' ') || 'none'}, passkey offer ${p.offerPasskeys ? 'on' : 'off'}\n`;
    }
    case 'user.devices': {
      const m = result as Row & { devices: Row[] };
      return `${m.email}\n${table(m.devices, ['id', 'created_at', 'last_used_at', 'expires_at', 'country', 'revoked_at'])}`;
    }
    case 'user.devices-revoke': {
      const m = result as Row;
      return `revoked ${m.revoked} trusted device(s) of ${m.email}\n`;
    }
    case 'user.create':
      return `created user ${r.user!.email} (id ${r.user!.id}) in ${r.user!.org}\n`;
    case 'user.list':
      return table(r.users!, ['email', 'org', 'id', 'disabled']);
    case 'client.create': {
      const c = result as Row;
      return `client_id:     ${c.client_id}\n${c.client_secret ? `client_secret: ${c.client_secret}\n(the secret is shown only now)\n` : 'public client (no secret)\n'}`;
    }
    case 'client.set-policy': {
      const c = result as Row;
      return `client ${c.client_id}: minimum acr ${c.minimum_acr ?? 'none'}, MFA required ${c.mfa_required}, default acr ${(c.default_acr_values as string[]).join(' ') || 'none'}, acr_values ${c.acr_enforcement}\n`;
    }
    case 'client.list':
      return table(r.clients!, ['client_id', 'name', 'org', 'public', 'redirect_uris']);
  }
}
