import { Writable } from 'node:stream';
import { describe, test, expect } from 'vitest';
import { buildLogger, logSettings } from './logger.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log settings from the environment', () => {
  test('info and JSON lines by default off a terminal; readable lines on one', () => {
    expect(logSettings({}, false)).toEqual({ level: 'info', format: 'json', colorize: false, notes: [] });
    expect(logSettings({}, true)).toEqual({ level: 'info', format: 'pretty', colorize: true, notes: [] });
    expect(logSettings({ NO_COLOR: '' }, true).colorize).toBe(false);
  });

  test('ENSHU_LOG_FORMAT forces a format either way', () => {
    expect(logSettings({ ENSHU_LOG_FORMAT: 'json' }, true).format).toBe('json');
    expect(logSettings({ ENSHU_LOG_FORMAT: 'pretty' }, false)).toMatchObject({ format: 'pretty', colorize: false });
    const bad = logSettings({ ENSHU_LOG_FORMAT: 'xml' }, false);
    expect(bad.format).toBe('json');
    expect(bad.notes).toEqual(['ENSHU_LOG_FORMAT=xml is not one of json, pretty; writing json']);
  });

  test('tests are quiet unless asked; ENSHU_LOG_LEVEL wins, ENSHU_DEBUG means debug', () => {
    expect(logSettings({ NODE_ENV: 'test' }, false).level).toBe('warn');
    expect(logSettings({ VITEST: 'true' }, false).level).toBe('warn');
    expect(logSettings({ VITEST: 'true', ENSHU_LOG_LEVEL: 'debug' }, false).level).toBe('debug');
    expect(logSettings({ ENSHU_DEBUG: '1' }, false).level).toBe('debug');
    expect(logSettings({ ENSHU_LOG_LEVEL: ' ERROR ' }, false).level).toBe('error');
    const bad = logSettings({ ENSHU_LOG_LEVEL: 'loud' }, false);
    expect(bad.level).toBe('info');
    expect(bad.notes[0]).toMatch(
      /^ENSHU_LOG_LEVEL=loud is not one of fatal, error, warn, info, debug, trace, silent; logging at info$/,
    );
  });
});

describe('the two formats', () => {
  test('JSON lines carry the component, the level, an ISO time and an error with its stack', () => {
    const { lines, stream } = sink();
    const log = buildLogger({ level: 'info', format: 'json' }, stream).child({ component: 'server/http' });
    log.debug('not written');
    log.error({ err: new Error('boom'), path: '/api/x' }, 'internal error on GET /api/x');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown> & { err: { message: string; stack: string } };
    expect(o).toMatchObject({
      level: 50,
      component: 'server/http',
      path: '/api/x',
      msg: 'internal error on GET /api/x',
    });
    expect(o.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(o.err.message).toBe('boom');
    expect(o.err.stack).toMatch(/^Error: boom\n\s+at /);
  });

  test('pretty lines: time, level, component and message on one line, fields beside them', () => {
    const { lines, stream } = sink();
    const log = buildLogger({ level: 'info', format: 'pretty' }, stream).child({ component: 'server' });
    log.info({ url: 'http://127.0.0.1:8080' }, 'enshu server on http://127.0.0.1:8080');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: server: enshu server on http:\/\/127\.0\.0\.1:8080 \{"url":"http:\/\/127\.0\.0\.1:8080"\}$/,
    );
    expect(lines[0]).not.toContain('\u001b[');
  });
});
