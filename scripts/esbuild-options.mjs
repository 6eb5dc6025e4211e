// The Lambda bundle's esbuild options, shared by `npm run build` and the benchmark's
// baseline. template.yaml's Metadata mirrors them for `sam build`.
export const lambdaBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  minify: true,
  // Prefer packages' ES module builds, which esbuild can tree-shake (the AWS SDK's save ~7%).
  mainFields: ['module', 'main'],
  // CommonJS dependencies (gRPC, the Momento SDK) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
