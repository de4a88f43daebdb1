// The two OAuth scopes that the cancel method accepts (GDC REST reference).
export const TRANSLATION_SCOPE = 'https://www.googleapis.com/auth/cloud-translation';
export const PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const ALLOWED_SCOPES = [TRANSLATION_SCOPE, PLATFORM_SCOPE] as const;
