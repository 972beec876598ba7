import { useEffect, useRef, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { SPEEDS, type ClipPlayerHandle } from '../../components/ClipPlayer';

function isTyping(el: Element | null): boolean {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable);
}

interface DeskShortcuts {
  /** Off while the reject dialog is open: it handles its own keys. */
  enabled: boolean;
  canAct: boolean;
  confirm: () => Promise<void>;
  setRejectOpen: Dispatch<SetStateAction<boolean>>;
  goNext: () => Promise<void>;
  plateInput: RefObject<HTMLInputElement | null>;
  player: RefObject<ClipPlayerHandle | null>;
  setShowOverlay: Dispatch<SetStateAction<boolean>>;
  setShowHelp: Dispatch<SetStateAction<boolean>>;
}

/**
 * The officer desk's keys (listed by ShortcutHelp): C confirm, R reject, P plate, N next, Space play/pause, `,` `.`
 * step a frame, `[` `]` clip speed, O overlay, ? help. While typing, Escape leaves the field and Enter in the plate
 * field confirms.
 */
export function useDeskShortcuts({ enabled, canAct, confirm, setRejectOpen, goNext, plateInput, player, setShowOverlay, setShowHelp }: DeskShortcuts): void {
  const speedIndex = useRef(2);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (!enabled) return;
      if (isTyping(document.activeElement)) {
        if (e.key === 'Escape') (document.activeElement as HTMLElement).blur();
        if (e.key === 'Enter' && document.activeElement === plateInput.current) {
          e.preventDefault();
          void confirm();
        }
        return;
      }
      const k = e.key;
      if (k === 'c' || k === 'C') void confirm();
      else if ((k === 'r' || k === 'R') && canAct) setRejectOpen(true);
      else if (k === 'p' || k === 'P') {
        e.preventDefault();
        plateInput.current?.focus();
        plateInput.current?.select();
      } else if (k === 'n' || k === 'N') void goNext();
      else if (k === ' ' && !(document.activeElement instanceof HTMLButtonElement)) {
        e.preventDefault();
        player.current?.togglePlay();
      } else if (k === ',') player.current?.step(-1);
      else if (k === '.') player.current?.step(1);
      else if (k === '[' || k === ']') {
        speedIndex.current = Math.min(SPEEDS.length - 1, Math.max(0, speedIndex.current + (k === ']' ? 1 : -1)));
        player.current?.setSpeed(SPEEDS[speedIndex.current]!);
      } else if (k === 'o' || k === 'O') setShowOverlay((v) => !v);
      else if (k === '?') setShowHelp((v) => !v);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, canAct, confirm, setRejectOpen, goNext, plateInput, player, setShowOverlay, setShowHelp]);
}
