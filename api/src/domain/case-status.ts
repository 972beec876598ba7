// The case status machine (Circular 73/2024 Art. 24 workflow): each action, the statuses it may start from, the
// status it leads to, and what else it does to the case. The whole life cycle reads here; one function
// (repositories/cases.ts `applyTransition`) carries out any transition with its effects. Pure: no I/O.
import type { CaseStatus } from '@phatnguoi/core/contracts/api/cases';
import { ConflictError } from '@phatnguoi/core/errors';

export type CaseAction = 'confirm' | 'reject' | 'return' | 'approve' | 'notify' | 'escalate' | 'resolve' | 'lapse';

/** What a transition does besides changing the status (each one is carried out by `applyTransition`). */
export type TransitionEffect =
  /** The acting officer is recorded as the one who confirmed (confirmed_by, confirmed_at). */
  | 'record_confirmer'
  /** The confirmation is undone (a returned case is reviewed again). */
  | 'clear_confirmer'
  /** The acting officer is recorded as the one who rejected, with the reason. */
  | 'record_rejection'
  /** The acting supervisor is recorded as the approver. */
  | 'record_approver'
  /** The officer's review claim ends. */
  | 'release_claim'
  /** Every pending legal deadline of the case is cancelled: the case is closed. */
  | 'cancel_deadlines'
  /** The 20-day warnings go out to the bodies that enforce them (inspection, registration, commune police). */
  | 'raise_warnings'
  /** Warnings already out are lifted. */
  | 'lift_warnings';

export interface Transition {
  from: readonly CaseStatus[];
  to: CaseStatus;
  effects: readonly TransitionEffect[];
}

export const TRANSITIONS: Record<CaseAction, Transition> = {
  confirm: { from: ['detected'], to: 'confirmed', effects: ['record_confirmer', 'release_claim'] },
  reject: { from: ['detected'], to: 'rejected', effects: ['record_rejection', 'release_claim', 'cancel_deadlines'] },
  return: { from: ['confirmed'], to: 'detected', effects: ['clear_confirmer'] },
  approve: { from: ['confirmed'], to: 'approved', effects: ['record_approver'] },
  // the notice, its response deadline and its deliveries are written by services/notices.ts in the same transaction
  notify: { from: ['approved'], to: 'notified', effects: [] },
  escalate: { from: ['notified'], to: 'escalated', effects: ['raise_warnings'] },
  resolve: { from: ['notified', 'escalated'], to: 'resolved', effects: ['cancel_deadlines', 'lift_warnings'] },
  lapse: { from: ['detected', 'confirmed', 'approved', 'notified', 'escalated'], to: 'lapsed', effects: ['cancel_deadlines'] },
};

export function canTransition(from: CaseStatus, action: CaseAction): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The status after `action`, or a 409 naming the illegal transition. */
export function nextStatus(from: CaseStatus, action: CaseAction): CaseStatus {
  if (!canTransition(from, action)) {
    throw new ConflictError(`cannot ${action} a case that is ${from}`, 'illegal_transition', { from, action, params: { status: from } });
  }
  return TRANSITIONS[action].to;
}

export const OPEN_STATUSES: readonly CaseStatus[] = ['detected', 'confirmed', 'approved'];
export const PUBLISHED_STATUSES: readonly CaseStatus[] = ['approved', 'notified', 'escalated', 'resolved', 'lapsed'];
