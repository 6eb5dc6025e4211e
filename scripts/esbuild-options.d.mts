import type { BuildOptions } from 'esbuild';
export declare const lambdaBundleOptions: BuildOptions & { metafile: true };
