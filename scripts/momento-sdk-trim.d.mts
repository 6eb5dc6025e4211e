import type { Plugin } from 'esbuild';
export declare const UNUSED_GENERATED_TYPES: string[];
export declare const UNUSED_PACKAGES: string[];
export declare function inertModuleSource(name: string): string;
export declare function missingPackageSource(name: string): string;
export declare const momentoSdkTrim: Plugin;
