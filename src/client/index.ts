/**
 * momento-secret-rotation/client: what an application imports to use the Momento key
 * that the rotation function keeps fresh in Secrets Manager.
 *
 * ```ts
 * import { MomentoKeyProvider, MomentoClientProvider } from 'momento-secret-rotation/client';
 *
 * // Create once (module scope in Lambda, start-up in a server), reuse everywhere.
 * const keys = new MomentoKeyProvider({ secretId: 'momento/api-key' });
 * const momento = new MomentoClientProvider({ keys });
 *
 * const result = await momento.run((client) => client.get('orders', 'order-42'));
 * ```
 */
export { MomentoKeyProvider, KeyUnavailableError, type KeyProviderOptions, type MomentoKey } from './key-provider.js';
export {
  MomentoClientProvider,
  KeyNotUsableError,
  credentialProviderFor,
  isAuthenticationError,
  type ClientProviderOptions,
} from './client-provider.js';
