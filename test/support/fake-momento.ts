import type { MomentoApi, ProbeOutcome, RefreshOutcome } from '../../src/momento/momento-api.js';
import { DAY, fakeRefreshToken, fakeV1Key } from './secrets.js';

type Scripted<T> = T | (() => T | Promise<T>);

/**
 * A scriptable MomentoApi. By default it refreshes any key it is given (a new v1 key
 * and refresh token, valid for `lifetimeDays` from now) and authenticates any key it
 * issued or was told about; queued answers override the defaults, call by call.
 */
export class FakeMomento implements MomentoApi {
  lifetimeDays = 30;
  readonly refreshCalls: { apiKey: string; refreshToken: string }[] = [];
  readonly probeCalls: { apiKey: string; cacheName: string | undefined }[] = [];
  readonly validKeys = new Set<string>();
  private readonly refreshAnswers: Scripted<RefreshOutcome>[] = [];
  private readonly probeAnswers: Scripted<ProbeOutcome>[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  answerRefresh(...answers: Scripted<RefreshOutcome>[]): void {
    this.refreshAnswers.push(...answers);
  }

  answerProbe(...answers: Scripted<ProbeOutcome>[]): void {
    this.probeAnswers.push(...answers);
  }

  async refreshApiKey(apiKey: string, refreshToken: string): Promise<RefreshOutcome> {
    this.refreshCalls.push({ apiKey, refreshToken });
    const scripted = this.refreshAnswers.shift();
    if (scripted !== undefined) return typeof scripted === 'function' ? scripted() : scripted;
    const newKey = fakeV1Key();
    this.validKeys.add(newKey);
    return {
      ok: true,
      apiKey: newKey,
      refreshToken: fakeRefreshToken(),
      validUntil: Math.floor(this.now() / 1000) + this.lifetimeDays * DAY,
    };
  }

  async probeApiKey(apiKey: string, cacheName: string | undefined): Promise<ProbeOutcome> {
    this.probeCalls.push({ apiKey, cacheName });
    const scripted = this.probeAnswers.shift();
    if (scripted !== undefined) return typeof scripted === 'function' ? scripted() : scripted;
    if (this.validKeys.has(apiKey)) return { ok: true, call: cacheName === undefined ? 'listCaches' : 'get' };
    return { ok: false, code: 'AUTHENTICATION_ERROR', message: 'Invalid signature' };
  }
}

export function failure(code: string, message = `${code} from fake`): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}
