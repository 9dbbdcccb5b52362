/**
 * POST /run_sse and read it to the end: undici streaming body → one streaming TextDecoder →
 * eventsource-parser (bounded by `maxBufferSize`) → typed TurnEvents.
 *
 * Why the three timers: the backend's only end-of-turn signal is the connection closing, so a
 * silent hang and a slow generation look alike on the wire. `total` caps the turn (skill: 15 min),
 * `idle` catches a stream that only sends heartbeats (skill: 10 min), `stall` catches one that sends
 * nothing at all (undici's own bodyTimeout is disabled so that the error kind is ours).
 *
 * This function sends the POST exactly once. It never retries: a re-sent message runs (and charges)
 * twice. The caller may retry only when it got an auth answer before any event (nothing ran).
 */
import { createParser, type ParseError, type EventSourceMessage } from 'eventsource-parser';
import { scrub } from '../log.js';
import { NemoError, type NemoErrorKind } from './errors.js';
import { interpret, readBounded, sendRaw, type HttpDeps, type RawResponse } from './http.js';
import { interpretEventObject, interpretMessage, TurnAccumulator, type ParsedMessage } from './sse-events.js';
import type { TurnEvent, TurnResult } from './types.js';

export interface SseTurnOptions {
  token: string;
  sessionId: string;
  text: string;
  signal?: AbortSignal;
  onEvent?(event: TurnEvent): void;
  totalMs: number;
  idleMs: number;
  stallMs: number;
  maxEventBytes: number;
}

/** Errors before any byte reached the server: safe to call 'network' (nothing ran). */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** `event: heartbeat` with no data line never reaches onEvent (an event needs data), so count it here. */
const DATALESS_HEARTBEAT = /(?:^|\n)event: ?(?:heartbeat|ping|keepalive)\r?\n\r?\n/gi;

const streamError = (kind: NemoErrorKind, message: string, cause?: unknown) =>
  new NemoError({ kind, message: `Nemo run_sse: ${message}`, endpoint: 'run_sse', cause });

export async function runSseTurn(deps: HttpDeps, o: SseTurnOptions): Promise<TurnResult> {
  const log = deps.logger;
  const ctrl = new AbortController();
  let stop: NemoError | undefined;
  const fail = (e: NemoError) => {
    if (!stop) {
      stop = e;
      ctrl.abort();
    }
  };
  const onOuterAbort = () => fail(streamError('cancelled', 'cancelled'));
  if (o.signal?.aborted) onOuterAbort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const timers: Record<'total' | 'idle' | 'stall', NodeJS.Timeout | undefined> = { total: undefined, idle: undefined, stall: undefined };
  // Re-arming refreshes the existing timer: a heartbeat per stream every few seconds, times thousands
  // of streams, should not allocate a new timer each time.
  const arm = (which: 'total' | 'idle' | 'stall', ms: number, kind: NemoErrorKind, text: string) => {
    const running = timers[which];
    if (running) running.refresh();
    else timers[which] = setTimeout(() => fail(streamError(kind, `${text} (${ms} ms)`)), ms);
  };
  const armStall = () => arm('stall', o.stallMs, 'stream_stalled', 'no bytes received');
  const armIdle = () => arm('idle', o.idleMs, 'stream_idle', 'only heartbeats');
  arm('total', o.totalMs, 'stream_timeout', 'turn exceeded the total timeout');
  armStall();
  armIdle();

  const acc = new TurnAccumulator();
  const emit = (e: TurnEvent) => {
    acc.add(e);
    if (!o.onEvent) return;
    try {
      o.onEvent(e);
    } catch (err) {
      log.warn({ err }, 'nemo run_sse: onEvent callback threw (ignored)');
    }
  };
  const apply = (p: ParsedMessage) => {
    if (p.kind === 'heartbeat') return emit({ type: 'heartbeat' });
    if (p.kind === 'garbage') {
      log.warn({ endpoint: 'run_sse', reason: p.reason }, 'nemo run_sse: unrecognised SSE data ignored');
      return;
    }
    if (p.kind === 'error') {
      log.warn({ endpoint: 'run_sse', message: scrub(p.message).slice(0, 300), code: p.code }, 'nemo run_sse: error event in stream');
      if (p.code === 2001) {
        // Out of credits mid-turn (the generation was refused when it started): the same answer as a 2001 up front.
        throw new NemoError({ kind: 'no_credits', code: 2001, message: 'Nemo run_sse: code 2001 in the stream', endpoint: 'run_sse', details: { backendMessage: scrub(p.message).slice(0, 300) } });
      }
      throw new NemoError({
        kind: 'stream_error',
        message: `Nemo run_sse: error event: ${scrub(p.message).slice(0, 300)}`,
        endpoint: 'run_sse',
        details: { backendMessage: scrub(p.message).slice(0, 300) },
      });
    }
    acc.countMessage();
    armIdle();
    for (const e of p.events) emit(e);
  };

  const started = Date.now();
  let res: RawResponse | undefined;
  try {
    res = await sendRaw(
      deps,
      {
        endpoint: 'run_sse',
        method: 'POST',
        path: '/run_sse',
        token: o.token,
        json: { app_name: 'nemo_agent', user_id: 'me', session_id: o.sessionId, new_message: { parts: [{ text: o.text }] } },
      },
      ctrl.signal,
      { headers: { accept: 'text/event-stream' }, headersTimeout: 0, bodyTimeout: 0 },
    );
    armStall();
    const ctype = String(res.headers['content-type'] ?? '').toLowerCase();
    log.debug({ endpoint: 'run_sse', status: res.status, contentType: ctype, ms: Date.now() - started }, 'nemo run_sse: response');
    if (res.status >= 400 || ctype.includes('json')) {
      // Not a stream: an error envelope (e.g. HTTP 200 {code:2001}) or, defensively, ADK /run's event list.
      const data = interpret('run_sse', res.status, await readBounded(res.body, deps.maxJsonBytes), log);
      if (!Array.isArray(data)) {
        log.warn({ endpoint: 'run_sse', status: res.status }, 'nemo run_sse: JSON answer without events');
        throw streamError('bad_response', 'JSON answer instead of an event stream');
      }
      for (const item of data) apply(interpretEventObject(item));
      return acc.finish();
    }
    if (!ctype.includes('event-stream')) log.warn({ endpoint: 'run_sse', contentType: ctype }, 'nemo run_sse: unexpected content type, parsing as SSE');

    let oversize: ParseError | undefined;
    const parser = createParser({
      maxBufferSize: o.maxEventBytes,
      onEvent: (msg: EventSourceMessage) => apply(interpretMessage(msg)),
      onComment: () => apply({ kind: 'heartbeat' }),
      onError: (err: ParseError) => {
        if (err.type === 'max-buffer-size-exceeded') oversize = err;
        else log.debug({ endpoint: 'run_sse', type: err.type, field: err.field }, 'nemo run_sse: SSE parse problem ignored');
      },
    });
    const decoder = new TextDecoder('utf-8');
    const feed = (text: string) => {
      for (const _ of text.matchAll(DATALESS_HEARTBEAT)) apply({ kind: 'heartbeat' });
      parser.feed(text);
      if (oversize) {
        log.warn({ endpoint: 'run_sse', maxEventBytes: o.maxEventBytes }, 'nemo run_sse: event over the size limit, aborting the stream');
        throw streamError('stream_error', `an event exceeded ${o.maxEventBytes} bytes`, oversize);
      }
    };
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      armStall();
      feed(decoder.decode(chunk, { stream: true }));
      if (stop) break;
    }
    if (stop) throw stop;
    // The connection closed normally: that is the end of the turn. Flush a last unterminated event.
    feed(decoder.decode() + '\n\n');
    const result = acc.finish();
    log.debug(
      { endpoint: 'run_sse', ms: Date.now() - started, events: result.eventCount, heartbeats: result.heartbeatCount, silent: result.silent, tools: result.toolCalls },
      'nemo run_sse: turn ended',
    );
    return result;
  } catch (err) {
    if (err instanceof NemoError) fail(err);
    res?.body.destroy();
    if (stop) {
      log.debug({ endpoint: 'run_sse', kind: stop.kind, ms: Date.now() - started, err: stop }, 'nemo run_sse: turn failed');
      throw stop;
    }
    const code = (err as { code?: string }).code;
    const e =
      !res && code && CONNECT_CODES.has(code)
        ? new NemoError({ kind: 'network', message: `Nemo run_sse: ${scrub(String((err as Error).message))}`, endpoint: 'run_sse', cause: err })
        : streamError('stream_dropped', `connection lost before the stream closed (${code ?? 'error'})`, err);
    log.debug({ endpoint: 'run_sse', kind: e.kind, ms: Date.now() - started, err: e }, 'nemo run_sse: turn failed');
    throw e;
  } finally {
    for (const t of Object.values(timers)) clearTimeout(t);
    o.signal?.removeEventListener('abort', onOuterAbort);
    if (!ctrl.signal.aborted && res && !res.body.readableEnded) res.body.destroy();
  }
}
