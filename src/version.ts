// The package's version, put here by the build (esbuild's define) and by vitest's
// config, both read from package.json: there is no second copy to bump.
declare const PACKAGE_VERSION: string;

export const VERSION: string = PACKAGE_VERSION;
