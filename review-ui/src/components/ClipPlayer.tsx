import { useCallback, useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useI18n } from '../i18n';

export interface ClipPlayerHandle {
  togglePlay(): void;
  step(frames: number): void;
  setSpeed(speed: number): void;
}

export const SPEEDS = [0.25, 0.5, 1, 2] as const;

interface Props {
  src: string;
  /** Recording frame rate; evidence is recorded at 5 fps or more, so stepping by 1/fps lands on each frame. */
  fps: number;
  label: string;
  onReady?: () => void;
  ref?: Ref<ClipPlayerHandle>;
}

/** Evidence clip with play/pause, frame-by-frame stepping and playback speed; every control works from the keyboard. */
export function ClipPlayer({ src, fps, label, onReady, ref }: Props) {
  const { t, formatNumber } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeedState] = useState(1);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [failed, setFailed] = useState(false);
  const frameRate = fps > 0 ? fps : 10;

  const togglePlay = useCallback(() => {
    const v = video.current;
    if (!v) return;
    if (v.paused) void v.play().catch(() => setPlaying(false));
    else v.pause();
  }, []);

  const step = useCallback(
    (frames: number) => {
      const v = video.current;
      if (!v) return;
      v.pause();
      const frame = Math.round(v.currentTime * frameRate) + frames;
      const max = Number.isFinite(v.duration) ? v.duration : Infinity;
      // aim at the middle of the frame so rounding in the decoder never shows the neighbour
      v.currentTime = Math.min(max, Math.max(0, (frame + 0.5) / frameRate));
      if (frame <= 0) v.currentTime = 0;
    },
    [frameRate],
  );

  const setSpeed = useCallback((s: number) => {
    setSpeedState(s);
    if (video.current) video.current.playbackRate = s;
  }, []);

  useImperativeHandle(ref, () => ({ togglePlay, step, setSpeed }), [togglePlay, step, setSpeed]);

  useEffect(() => {
    setFailed(false);
    setTime(0);
  }, [src]);

  const frame = Math.floor(time * frameRate + 1e-6);
  const totalFrames = Math.max(0, Math.round(duration * frameRate));

  return (
    <figure className="clip-player" aria-label={label}>
      <video
        ref={video}
        src={src}
        preload="auto"
        muted
        playsInline
        data-testid="clip-video"
        onLoadedData={() => onReady?.()}
        onLoadedMetadata={(e) => setDuration(e.currentTarget.duration)}
        onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
        onSeeked={(e) => setTime(e.currentTarget.currentTime)}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onError={() => setFailed(true)}
      />
      {failed && <p role="alert">{t('clip.failed')}</p>}
      <div className="clip-controls" role="group" aria-label={t('clip.controls')}>
        <button type="button" onClick={() => step(-1)} aria-label={t('clip.prevFrame')} title={t('clip.prevFrame') + ' (,)'}>
          ⏮
        </button>
        <button type="button" onClick={togglePlay} aria-pressed={playing} title={t('clip.playPause') + ' (Space)'}>
          {playing ? t('clip.pause') : t('clip.play')}
        </button>
        <button type="button" onClick={() => step(1)} aria-label={t('clip.nextFrame')} title={t('clip.nextFrame') + ' (.)'}>
          ⏭
        </button>
        <input
          type="range"
          min={0}
          max={Math.max(totalFrames - 1, 0)}
          step={1}
          value={Math.min(frame, Math.max(totalFrames - 1, 0))}
          aria-label={t('clip.seek')}
          aria-valuetext={t('clip.frameOf', { frame: frame + 1, total: totalFrames })}
          onChange={(e) => {
            const v = video.current;
            if (!v) return;
            v.pause();
            v.currentTime = (Number(e.target.value) + 0.5) / frameRate;
          }}
        />
        <output data-testid="clip-frame" aria-live="off">
          {t('clip.frameOf', { frame: frame + 1, total: totalFrames })} · {formatNumber(time, 2)} s
        </output>
        <label>
          {t('clip.speed')}{' '}
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
      </div>
    </figure>
  );
}
