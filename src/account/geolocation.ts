// Where an IP address is, from the offline GeoIP database of the geoip-lite package (no network).
// Loaded on first use: the database is large, and only adaptive organisations need it.
export interface Location {
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

let geoip: Promise<typeof import('geoip-lite')> | undefined;

export async function locate(ip: string): Promise<Location> {
  geoip ??= import('geoip-lite').then((m) => (m as { default?: typeof import('geoip-lite') }).default ?? m);
  const found = (await geoip).lookup(ip.replace(/^::ffff:/, ''));
  return { country: found?.country || null, latitude: found?.ll?.[0] ?? null, longitude: found?.ll?.[1] ?? null };
}
