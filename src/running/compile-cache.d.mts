export declare const KEPT_COMPILE_CACHE: string;
export declare function enableKeptCompileCache(env?: NodeJS.ProcessEnv): string | undefined;
export declare const compileCacheDir: () => string | undefined;
export declare const compileCacheSupported: boolean;
