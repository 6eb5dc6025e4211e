// The Lambda artifact: the one folder `npm run build` writes, template.yaml's CodeUri names,
// `sam build` copies and `sam deploy` zips, and the integration tests, the demo and the
// benchmark load. Nothing else builds the function (test/template/artifact.test.ts checks).
export const LAMBDA_ARTIFACT_DIR = 'dist/lambda';
/** template.yaml's `Handler: handler.handler`: Lambda's Node runtime tries handler.js, then .mjs. */
export const LAMBDA_HANDLER_FILE = `${LAMBDA_ARTIFACT_DIR}/handler.mjs`;
