// The case status machine (Circular 73/2024 Art. 24 workflow). Pure: no I/O.
import type { CaseStatus } from '@phatnguoi/core/contracts/api/cases';
import { ConflictError } from '@phatnguoi/core/errors';

export type CaseAction = 'confirm' | 'reject' | 'return' | 'approve' | 'notify' | 'escalate' | 'resolve' | 'lapse';

export const TRANSITIONS: Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus }> = {
  confirm: { from: ['detected'], to: 'confirmed' },
  reject: { from: ['detected'], to: 'rejected' },
  return: { from: ['confirmed'], to: 'detected' },
  approve: { from: ['confirmed'], to: 'approved' },
  notify: { from: ['approved'], to: 'notified' },
  escalate: { from: ['notified'], to: 'escalated' },
  resolve: { from: ['notified', 'escalated'], to: 'resolved' },
  lapse: { from: ['detected', 'confirmed', 'approved', 'notified', 'escalated'], to: 'lapsed' },
};

export function canTransition(from: CaseStatus, action: CaseAction): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The status after `action`, or a 409 naming the illegal transition. */
export function nextStatus(from: CaseStatus, action: CaseAction): CaseStatus {
  if (!canTransition(from, action)) {
    throw new ConflictError(`cannot ${action} a case that is ${from}`, 'illegal_transition', { from, action });
  }
  return TRANSITIONS[action].to;
}

export const OPEN_STATUSES: readonly CaseStatus[] = ['detected', 'confirmed', 'approved'];
export const PUBLISHED_STATUSES: readonly CaseStatus[] = ['approved', 'notified', 'escalated', 'resolved', 'lapsed'];
