/**
 * Webhook mode: Telegram POSTs each update to TELEGRAM_WEBHOOK_URL; any number of processes may
 * answer (no lease), since Telegram, not us, decides who gets which update.
 *
 * Our own small server instead of grammY's `webhookCallback`: with node:http its failures become
 * unhandled rejections and the request is never answered, and it has no body limit. Here: only POST
 * on the webhook's path; the `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time
 * and a wrong or missing one gets 401 before the body is read; 200 only after the update was handed
 * to the core (so a failure → 500 → Telegram delivers it again, and the core deduplicates).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Update } from 'grammy/types';
import type { Logger } from '../../src/log.js';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Updates are small JSON; anything bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

const updateShape = z.object({ update_id: z.number().int() }).passthrough();

export interface WebhookServerOptions {
  port: number;
  /** Path part of TELEGRAM_WEBHOOK_URL. */
  path: string;
  secret: string;
  handle: (update: Update) => Promise<void>;
  logger: Logger;
  host?: string;
}

export interface WebhookServer {
  port: number;
  /** Stop accepting, wait for requests in flight. */
  close(): Promise<void>;
  /** Drop everything at once (crash simulation). */
  kill(): void;
}

export function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  const server = createServer((req, res) => void serve(o, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  o.logger.info({ port, path: o.path }, 'telegram: webhook server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeIdleConnections();
        server.close(() => resolve());
      }),
    kill: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function serve(o: WebhookServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  if (req.method !== 'POST' || path !== o.path) return finish(req, res, 404, 'not found');
  if (!secretMatches(req.headers[SECRET_HEADER], o.secret)) {
    o.logger.warn({ remote: req.socket.remoteAddress }, 'telegram: webhook request with a wrong or missing secret token');
    return finish(req, res, 401, 'unauthorized');
  }
  let update: Update;
  try {
    const body = await readBody(req);
    const parsed = updateShape.safeParse(JSON.parse(body.toString('utf8')));
    if (!parsed.success) return finish(req, res, 400, 'not an update');
    update = parsed.data as unknown as Update;
  } catch (err) {
    const tooBig = err instanceof Error && err.message === 'too large';
    return finish(req, res, tooBig ? 413 : 400, tooBig ? 'too large' : 'bad json');
  }
  try {
    await o.handle(update);
    finish(req, res, 200, '{}');
  } catch (err) {
    o.logger.error({ err, updateId: update.update_id }, 'telegram: webhook update failed; Telegram will deliver it again');
    finish(req, res, 500, 'retry');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function finish(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  if (res.writableEnded) return;
  // Unread bodies would otherwise keep the connection busy.
  if (!req.readableEnded) req.resume();
  res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
  res.end(body);
}
