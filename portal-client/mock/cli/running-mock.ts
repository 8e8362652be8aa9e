// Finding a mock that `passgate-mock serve` runs for a data directory, and talking to its admin
// API. `serve` writes DIR/url and DIR/serve.pid when it listens and removes both when it stops; a
// url file whose pid is no longer alive (a killed serve) counts as no running mock.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { writeFileAtomic } from '../../../firmware/core/atomic-file.js';
import { TLS_FILES } from '../tls-material.js';
import { CliFailure } from './io.js';

export const SERVE_FILES = {
  url: 'url',
  pid: 'serve.pid',
  adminToken: 'admin-token',
  tlsDir: 'tls',
  /** The port serve last listened on: kept across restarts, so provisioned devices still reach it. */
  port: 'port',
} as const;

export interface RunningMockAddress {
  url: string;
  adminToken: string;
  /** The CA to trust for an https:// url. */
  caPem: string | null;
}

export async function writeServeFiles(dir: string, url: string, pid: number): Promise<void> {
  await writeFile(join(dir, SERVE_FILES.url), url + '\n', { mode: 0o600 });
  await writeFile(join(dir, SERVE_FILES.pid), `${pid}\n`, { mode: 0o600 });
}

export async function removeServeFiles(dir: string): Promise<void> {
  await rm(join(dir, SERVE_FILES.url), { force: true });
  await rm(join(dir, SERVE_FILES.pid), { force: true });
}

async function readTrimmed(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new CliFailure('mock.unreadable', `无法读取 ${path}（${code}）`, `cannot read ${path} (${code})`, {
      cause: error,
    });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** The port serve last listened on for `dir`, or null (none recorded, or not a port). */
export async function rememberedPort(dir: string): Promise<number | null> {
  const text = await readTrimmed(join(dir, SERVE_FILES.port));
  const port = text !== null && /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

/** Records the port serve listens on, atomically (a crash leaves the old port or the new one). */
export async function rememberPort(dir: string, port: number): Promise<void> {
  await writeFileAtomic(join(dir, SERVE_FILES.port), `${port}\n`, 0o600);
}

/** The URL serve recorded for `dir`, or null when no serve runs for it (no url file, or a dead pid). */
export async function servedUrl(dir: string): Promise<string | null> {
  const url = await readTrimmed(join(dir, SERVE_FILES.url));
  if (!url) return null;
  const pidText = await readTrimmed(join(dir, SERVE_FILES.pid));
  const pid = pidText === null ? NaN : Number(pidText);
  if (Number.isSafeInteger(pid) && pid > 0 && !processAlive(pid)) return null;
  return url;
}

/**
 * The running mock to talk to: `urlOverride` if given, else the one serve recorded for `dir`;
 * null when there is none. The admin token and CA always come from `dir`.
 */
export async function findRunningMock(dir: string, urlOverride?: string): Promise<RunningMockAddress | null> {
  const url = urlOverride ?? (await servedUrl(dir));
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliFailure('usage.invalid-argument', '模拟平台地址无效', 'the mock URL is not a valid URL');
  }
  const adminToken = await readTrimmed(join(dir, SERVE_FILES.adminToken));
  if (!adminToken)
    throw new CliFailure(
      'mock.unreadable',
      `${join(dir, SERVE_FILES.adminToken)} 中没有管理令牌（--dir 是模拟平台的数据目录吗？）`,
      `no admin token in ${join(dir, SERVE_FILES.adminToken)} (is --dir the mock's data directory?)`,
    );
  const caPem =
    parsed.protocol === 'https:' ? await readTrimmed(join(dir, SERVE_FILES.tlsDir, TLS_FILES.caCert)) : null;
  if (parsed.protocol === 'https:' && !caPem)
    throw new CliFailure(
      'mock.unreadable',
      `${join(dir, SERVE_FILES.tlsDir)} 中没有 CA 证书`,
      `no CA certificate in ${join(dir, SERVE_FILES.tlsDir)}`,
    );
  return { url: parsed.origin, adminToken, caPem };
}

/** POSTs one admin action and returns its JSON answer; refusals and transport failures are CliFailure. */
export async function adminRequest(
  mock: RunningMockAddress,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  const dispatcher = new Agent({ connect: { timeout: timeoutMs, ...(mock.caPem ? { ca: mock.caPem } : {}) } });
  try {
    const res = await request(mock.url + path, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', 'x-admin-token': mock.adminToken },
      body: JSON.stringify(body ?? {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new CliFailure(
        'mock.refused',
        `模拟平台应答 HTTP ${res.statusCode}，不是 JSON`,
        `the mock answered HTTP ${res.statusCode} without JSON`,
      );
    }
    if (res.statusCode !== 200) {
      const reason = (answer as { error?: unknown } | null)?.error;
      const why = typeof reason === 'string' ? reason : 'no reason given';
      throw new CliFailure(
        'mock.refused',
        `模拟平台拒绝（HTTP ${res.statusCode}）: ${why}`,
        `the mock refused (HTTP ${res.statusCode}): ${why}`,
      );
    }
    return answer;
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw new CliFailure(
      'mock.not-running',
      `${mock.url} 的模拟平台无应答（${code}）`,
      `the mock at ${mock.url} did not answer (${code})`,
      { cause: error },
    );
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}
