// The benchmark's baseline: the same handler, with its dependencies imported (and so
// loaded) at the top, as a handler written the usual way would.
import '@aws-sdk/client-secrets-manager';
import '@gomomento/sdk';
import '@aws-lambda-powertools/logger';
import '../src/momento/sdk-momento-api.js';

export { handler } from '../src/handler.js';
