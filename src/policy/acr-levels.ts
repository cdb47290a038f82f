// Authentication context class references, ordered weakest first. Default:
//   aal1 < aal2 < phr < phrh < aal3
// aal1–aal3 are NIST SP 800-63B's authenticator assurance levels; phr and phrh are the OpenID
// "phishing-resistant" and "phishing-resistant hardware" values (only WebAuthn satisfies them).
// Other names map by position (the n-th is AAL n). An achieved level decays: it holds for maxAge
// after it was reached and idle after the session last used it (NIST: AAL2 12 h / 30 min idle,
// AAL3 12 h / 15 min idle). Pure: no I/O.
export interface AcrLevel {
  name: string;
  /** NIST AAL this level requires: 1 one factor, 2 two factors, 3 a hardware, phishing-resistant authenticator. */
  aal: 1 | 2 | 3;
  /** Only a phishing-resistant authenticator (WebAuthn) satisfies it. */
  phishingResistant?: boolean;
  /** Only a device-bound (hardware) phishing-resistant authenticator satisfies it. */
  hardware?: boolean;
  /** Seconds after being reached that the level still holds (undefined: as long as the session). */
  maxAge?: number;
  /** Seconds without use after which the level no longer holds. */
  idle?: number;
}

export interface AcrLevels {
  readonly levels: readonly AcrLevel[];
  readonly values: readonly string[];
  /** The level a password-only sign-in reaches. */
  readonly baseline: string;
  rank(acr: string | undefined): number;
  isKnown(acr: string): boolean;
  get(acr: string): AcrLevel | undefined;
  /** The weakest level of the given AAL (or above). */
  forAal(aal: number): AcrLevel | undefined;
}

export const DEFAULT_LIFETIMES: Record<2 | 3, { maxAge: number; idle: number }> = {
  2: { maxAge: 12 * 3600, idle: 30 * 60 },
  3: { maxAge: 12 * 3600, idle: 15 * 60 },
};

export const DEFAULT_ACR_VALUES = ['aal1', 'aal2', 'phr', 'phrh', 'aal3'] as const;

/** What the well-known values demand. */
const KNOWN: Record<string, Pick<AcrLevel, 'aal' | 'phishingResistant' | 'hardware'>> = {
  aal1: { aal: 1 },
  aal2: { aal: 2 },
  phr: { aal: 2, phishingResistant: true },
  phrh: { aal: 2, phishingResistant: true, hardware: true },
  aal3: { aal: 3, phishingResistant: true, hardware: true },
};

export function acrLevels(values: readonly string[], lifetimes: Partial<Record<2 | 3, { maxAge: number; idle: number }>> = {}): AcrLevels {
  if (!values.length) throw new Error('at least one acr value is needed');
  const levels: AcrLevel[] = values.map((name, i) => {
    const demands = KNOWN[name] ?? { aal: Math.min(i + 1, 3) as 1 | 2 | 3 };
    const { aal } = demands;
    return aal === 1 ? { name, ...demands } : { name, ...demands, ...DEFAULT_LIFETIMES[aal], ...lifetimes[aal] };
  });
  return {
    levels,
    values,
    baseline: values[0]!,
    rank: (acr) => (acr === undefined ? -1 : values.indexOf(acr)),
    isKnown: (acr) => values.includes(acr),
    get: (acr) => levels.find((l) => l.name === acr),
    forAal: (aal) => levels.find((l) => l.aal >= aal),
  };
}

/** RFC 8176 amr values Keystep emits. */
export const AMR = {
  password: 'pwd',
  otp: 'otp',
  multiFactor: 'mfa',
  hardwareKey: 'hwk',
  softwareKey: 'swk',
  /** User presence and verification (biometric or PIN) by the authenticator. */
  userPresenceVerified: 'user',
} as const;
