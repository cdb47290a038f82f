// The browser-side halves of device recognition: a random device id (for the "new device" risk
// signal) and the list of trusted-device record ids (src/account/trusted-devices.ts).
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { MAX_DEVICES_PER_BROWSER, TRUSTED_DEVICE_COOKIE, parseDeviceIds } from '../src/account/trusted-devices.js';

const DEVICE_COOKIE = 'keystep.device';
const YEAR_MS = 365 * 86_400_000;

export function deviceId(ctx: Context): string {
  const existing = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  if (existing && /^[0-9a-f-]{36}$/.test(existing)) return existing;
  const id = randomUUID();
  ctx.cookies.set(DEVICE_COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax', maxAge: YEAR_MS, overwrite: true });
  return id;
}

export function trustedDeviceIds(ctx: Context): string[] {
  return parseDeviceIds(ctx.cookies.get(TRUSTED_DEVICE_COOKIE, { signed: true }));
}

export function rememberTrustedDevice(ctx: Context, id: string, days: number): void {
  const ids = [id, ...trustedDeviceIds(ctx).filter((x) => x !== id)].slice(0, MAX_DEVICES_PER_BROWSER);
  ctx.cookies.set(TRUSTED_DEVICE_COOKIE, JSON.stringify(ids), { signed: true, httpOnly: true, sameSite: 'lax', maxAge: days * 86_400_000, overwrite: true });
}
