// Live statistics for the operations wall: camera status from ingest (Redis channel `camera-status`),
// violations per hour, review backlog, deadline ageing, delivery health.
import type { Queryable } from '@phatnguoi/core/db';
import type { CameraLive, CameraStatusMessage, StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';

/** Latest status per camera, fed by the Redis subscription. */
export class CameraStatusBoard {
  private readonly latest = new Map<string, CameraStatusMessage & { receivedAt: Date }>();
  update(raw: string, now: Date): CameraStatusMessage | null {
    try {
      const m = JSON.parse(raw) as Partial<CameraStatusMessage>;
      if (typeof m.cameraId !== 'string' || typeof m.online !== 'boolean') return null;
      const msg: CameraStatusMessage = { cameraId: m.cameraId, online: m.online, fps: Number(m.fps ?? 0) || 0, detectionsPerSecond: Number(m.detectionsPerSecond ?? 0) || 0 };
      this.latest.set(m.cameraId, { ...msg, receivedAt: now });
      return msg;
    } catch {
      return null;
    }
  }
  get(cameraId: string): (CameraStatusMessage & { receivedAt: Date }) | undefined {
    return this.latest.get(cameraId);
  }
}

export async function statsSnapshot(q: Queryable, board: CameraStatusBoard, now: Date, agencyId: string | null): Promise<StatsSnapshot> {
  const cams = await q.query<{ id: string; name: string }>('SELECT id, name FROM cameras WHERE ($1::uuid IS NULL OR agency_id = $1) ORDER BY name', [agencyId]);
  const cameras: CameraLive[] = cams.rows.map((c) => {
    const s = board.get(c.id);
    const fresh = s && now.getTime() - s.receivedAt.getTime() < 60_000;
    return { cameraId: c.id, name: c.name, online: Boolean(fresh && s.online), fps: fresh ? s.fps ?? 0 : 0, detectionsPerSecond: fresh ? s.detectionsPerSecond ?? 0 : 0, updatedAt: s ? s.receivedAt.toISOString() : null };
  });
  const perHour = await q.query<{ hour: Date; camera_id: string; type: string; n: string }>(
    `SELECT date_trunc('hour', occurred_at) AS hour, camera_id, type, count(*) AS n FROM cases
      WHERE occurred_at >= $1 AND ($2::uuid IS NULL OR agency_id = $2) GROUP BY 1, 2, 3 ORDER BY 1`,
    [new Date(now.getTime() - 24 * 3600_000), agencyId]);
  const backlog = await q.query<{ detected: string; confirmed: string; approved: string; manual: string; overdue: string; due1d: string; due3d: string; later: string }>(
    `SELECT count(*) FILTER (WHERE status = 'detected') AS detected, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
            count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE manual_handling) AS manual,
            count(*) FILTER (WHERE notice_due_at <= $1) AS overdue,
            count(*) FILTER (WHERE notice_due_at > $1 AND notice_due_at <= $1 + interval '1 day') AS due1d,
            count(*) FILTER (WHERE notice_due_at > $1 + interval '1 day' AND notice_due_at <= $1 + interval '3 days') AS due3d,
            count(*) FILTER (WHERE notice_due_at > $1 + interval '3 days') AS later
       FROM cases WHERE status IN ('detected', 'confirmed', 'approved') AND ($2::uuid IS NULL OR agency_id = $2)`, [now, agencyId]);
  const del = await q.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM deliveries GROUP BY status`);
  const b = backlog.rows[0]!;
  const dcount = (s: string) => Number(del.rows.find((r) => r.status === s)?.n ?? 0);
  return {
    at: now.toISOString(),
    cameras,
    violationsPerHour: perHour.rows.map((r) => ({ hour: r.hour.toISOString(), cameraId: r.camera_id, type: r.type, count: Number(r.n) })),
    backlog: { detected: Number(b.detected), confirmed: Number(b.confirmed), approved: Number(b.approved), manual: Number(b.manual) },
    ageing: { overdue: Number(b.overdue), due1d: Number(b.due1d), due3d: Number(b.due3d), later: Number(b.later) },
    deliveries: { pending: dcount('pending'), failed: dcount('failed'), sent: dcount('sent') + dcount('batched') },
  };
}
