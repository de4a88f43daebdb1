// Server-wide behaviours, chosen with REFERENCE_PROFILE.

export type ProfileName = 'conformant' | 'unimplemented' | 'slow-cancel' | 'race';

export interface Profile {
  description: string;
  /** Cancel answers 501 UNIMPLEMENTED and touches nothing. */
  cancelUnimplemented?: boolean;
  /** Default cancel delay when REFERENCE_CANCEL_DELAY_MS is not set. */
  cancelDelayMs?: number;
  /** Quick operations (see QUICK_LIMIT_MS) ignore a cancel and finish normally. */
  quickOpsIgnoreCancel?: boolean;
}

export const PROFILES: Record<ProfileName, Profile> = {
  conformant: { description: 'Behaves like Google: cancel lands after the cancel delay, the operation ends CANCELLED with error code 1.' },
  unimplemented: {
    description: 'Cancel answers 501 UNIMPLEMENTED and changes nothing; every other method works.',
    cancelUnimplemented: true,
  },
  'slow-cancel': { description: 'Cancellation lands after 3000 ms (unless REFERENCE_CANCEL_DELAY_MS is set); CANCELLING in between.', cancelDelayMs: 3000 },
  race: {
    description: 'Quick operations finish SUCCEEDED despite a cancel (200 {}, best effort); long ones cancel normally.',
    quickOpsIgnoreCancel: true,
  },
};

export const DEFAULT_CANCEL_DELAY_MS = 200;

export const isProfileName = (s: string): s is ProfileName => Object.hasOwn(PROFILES, s);
