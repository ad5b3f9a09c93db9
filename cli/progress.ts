import cliProgress from 'cli-progress';
import type { ImageEvent } from '../orchestrator/index.js';
import type { RangeProgress } from '../protocol/index.js';

const tty = () => !!process.stderr.isTTY;

/** Image builds: one bar over all images, the current build line beside it (plain lines off a TTY). */
export function imageProgress(total: number) {
  const started = new Set<string>();
  const finished = new Set<string>();
  if (!tty()) {
    return {
      onEvent(e: ImageEvent) {
        if (e.phase === 'building' && !started.has(e.image)) {
          started.add(e.image);
          process.stderr.write(`building ${e.image} (${e.tag})\n`);
        }
        if (e.phase === 'cached' || e.phase === 'built' || e.phase === 'failed')
          process.stderr.write(`${e.image}: ${e.phase}${e.error ? ` — ${e.error.split('\n')[0]}` : ''}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'images |{bar}| {value}/{total} {image} {line}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { image: '', line: '' });
  return {
    onEvent(e: ImageEvent) {
      if (e.phase === 'cached' || e.phase === 'built' || e.phase === 'failed') finished.add(e.image);
      bar.update(finished.size, { image: `${e.image}:${e.phase}`, line: (e.line ?? '').slice(0, 50) });
    },
    stop() {
      bar.stop();
    },
  };
}

/** Range operations: one bar per team. */
export function rangeProgress() {
  if (!tty()) {
    return {
      onProgress(p: RangeProgress) {
        if (
          p.step === 'ready' ||
          p.step === 'plan' ||
          p.step === 'host-rules' ||
          p.status === 'failed' ||
          (p.step === 'remove' && !p.node)
        ) {
          process.stderr.write(`${p.team ? `[${p.team}] ` : ''}${p.message}\n`);
        }
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: '{team} |{bar}| {value}/{total} {message}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    onProgress(p: RangeProgress) {
      if (!p.team || p.total === undefined) {
        multi.log(`${p.message}\n`);
        return;
      }
      let bar = bars.get(p.team);
      if (!bar) bars.set(p.team, (bar = multi.create(p.total, 0, { team: p.team, message: '' })));
      bar.update(p.done ?? 0, { message: p.message });
    },
    stop() {
      multi.stop();
    },
  };
}
