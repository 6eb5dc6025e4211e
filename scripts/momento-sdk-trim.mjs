// The Lambda bundle leaves out the parts of the Momento SDK the function never runs.
//
// The function asks two things of @gomomento/sdk: AuthClient.refreshApiKey (v1 refresh) and
// CacheClient `get` or `listCaches` (the probe). But the SDK is one barrel: every client file
// requires its index, so loading AuthClient loads all of it, and its index loads the generated
// gRPC code of every Momento service (@gomomento/generated-types). Before this, loading that chunk
// was most of a cold createSecret or testSecret (a CPU profile on Node 24: about 40 ms to parse
// it, 85 ms to compile and run it).
//
// Left out, measured by `npm run bench` (cold v1 createSecret, median of 41, Node 24):
// - the generated code of the services the function never calls: leaderboards, webhooks,
//   functions, topics and the ping service. The SDK reads some of them when it loads (the
//   topic client names its message types at the top of its file), so each becomes an inert
//   module: any property read gives another inert value, and calling or constructing one throws
//   an error naming what is missing. Nothing the function runs calls them; if an SDK upgrade
//   makes it, the integration tests (refresh, `get`, `listCaches` through this bundle) fail;
// - @grpc/proto-loader (and with it protobufjs): gRPC requires it only to serve channelz, a
//   server-side admin service.
// Together: the Momento chunk from 1,515 KB to 1,249 KB, and a cold v1 createSecret from
// 0.85-0.89x the naive bundle's time to 0.80-0.83x.
//
// Only the Lambda artifact is trimmed: the CLI bundles the whole SDK, and the client library
// uses the application's own copy.

/** Files of @gomomento/generated-types/dist the function never calls. */
export const UNUSED_GENERATED_TYPES = ['leaderboard', 'webhook', 'function', 'function_types', 'cachepubsub', 'cacheping'];

/** Packages replaced by a module that throws when required. */
export const UNUSED_PACKAGES = ['@grpc/proto-loader'];

/** The CommonJS source of an inert module standing for `name`. */
export function inertModuleSource(name) {
  return `const inert = (path) => new Proxy(function () {}, {
  get(_, key) {
    if (key === '__esModule') return true;
    if (typeof key === 'symbol' || key === 'then') return undefined;
    return inert(path + '.' + key);
  },
  apply() { throw new Error(path + ' is left out of the Lambda bundle (scripts/momento-sdk-trim.mjs)'); },
  construct() { throw new Error(path + ' is left out of the Lambda bundle (scripts/momento-sdk-trim.mjs)'); },
});
module.exports = inert(${JSON.stringify(name)});
`;
}

/** The source of a module standing for package `name`: requiring it throws. */
export function missingPackageSource(name) {
  return `throw new Error(${JSON.stringify(`${name} is left out of the Lambda bundle (scripts/momento-sdk-trim.mjs)`)});\n`;
}

const generatedFile = new RegExp(`@gomomento[\\\\/]generated-types[\\\\/]dist[\\\\/](${UNUSED_GENERATED_TYPES.join('|')})\\.js$`);
const unusedPackage = new RegExp(`^(${UNUSED_PACKAGES.map((p) => p.replace(/[/]/g, '\\/')).join('|')})$`);

/** The esbuild plugin: the Lambda build only. */
export const momentoSdkTrim = {
  name: 'momento-sdk-trim',
  setup(build) {
    build.onLoad({ filter: generatedFile }, (args) => ({
      contents: inertModuleSource(`@gomomento/generated-types/dist/${generatedFile.exec(args.path)[1]}`),
      loader: 'js',
    }));
    build.onResolve({ filter: unusedPackage }, (args) => ({ path: args.path, namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: missingPackageSource(args.path), loader: 'js' }));
  },
};
