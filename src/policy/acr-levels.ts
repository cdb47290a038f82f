// Authentication context class references, ordered weakest first (default aal1 < aal2 < aal3,
// the NIST SP 800-63B assurance levels). Pure: no I/O.
export interface AcrLevels {
  readonly values: readonly string[];
  /** The level a password-only sign-in reaches. */
  readonly baseline: string;
  rank(acr: string | undefined): number;
  isKnown(acr: string): boolean;
}

export function acrLevels(values: readonly string[]): AcrLevels {
  if (!values.length) throw new Error('at least one acr value is needed');
  return {
    values,
    baseline: values[0]!,
    rank: (acr) => (acr === undefined ? -1 : values.indexOf(acr)),
    isKnown: (acr) => values.includes(acr),
  };
}

/** RFC 8176 amr values Keystep emits. */
export const AMR = { password: 'pwd', otp: 'otp', multiFactor: 'mfa' } as const;
