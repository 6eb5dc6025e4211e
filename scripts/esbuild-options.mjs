// The Lambda bundle's esbuild options, shared by `npm run build` and the benchmark's
// naive baseline.
export const lambdaBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Stack traces in CloudWatch point at src/ (NODE_OPTIONS=--enable-source-maps in
  // template.yaml). Without sourcesContent the map is mappings and names only: Node needs
  // no more, and a failing step's first stack trace parses a map a fraction of the size.
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  minify: true,
  // Prefer packages' ES module builds, which esbuild can tree-shake (the AWS SDK's save ~7%).
  mainFields: ['module', 'main'],
  // CommonJS dependencies (gRPC, the Momento SDK) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
