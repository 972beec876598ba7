// A report table written as a file: CSV (UTF-8 with BOM, so spreadsheet programs read Vietnamese), XLSX (exceljs:
// numbers as numbers, rates as percentages) and PDF (pdfkit, landscape, the heading of a unit's report).
import ExcelJS from 'exceljs';
import type { ReportKind, ReportTable } from '@phatnguoi/core/contracts/api/reports';
import { DEFAULT_NOTICE_FONTS, openPdf, type NoticeFonts } from '../notices/fonts';

export type Lang = 'vi' | 'en';
type Labels = Record<string, string>;

const TITLES: Record<Lang, Record<ReportKind, string>> = {
  vi: {
    'camera-daily': 'Vi phạm theo camera, theo ngày và loại vi phạm',
    'before-after': 'So sánh trước và sau mốc thời gian, theo camera',
    outcomes: 'Kết quả xử lý vụ việc theo kỳ và đơn vị',
    'vehicle-types': 'Vi phạm theo loại phương tiện',
    reviewers: 'Năng suất và tỷ lệ xác nhận của cán bộ xử lý',
    deadlines: 'Tuân thủ thời hạn (thông báo 10 ngày, cảnh báo 20 ngày)',
  },
  en: {
    'camera-daily': 'Violations per camera, day and type',
    'before-after': 'Before and after a date, per camera',
    outcomes: 'Case outcomes per period and agency',
    'vehicle-types': 'Violations by vehicle type',
    reviewers: 'Reviewer throughput and approval rate',
    deadlines: 'Deadline compliance (notices within 10 days, escalations at 20 days)',
  },
};

const COLUMNS: Record<Lang, Labels> = {
  vi: {
    day: 'Ngày',
    camera: 'Camera',
    red_light: 'Vượt đèn đỏ',
    wrong_lane: 'Sai làn đường',
    wrong_way: 'Đi ngược chiều',
    speeding: 'Quá tốc độ',
    total: 'Tổng cộng',
    before: 'Trước mốc',
    beforePerDay: 'Trước mốc (bình quân/ngày)',
    after: 'Từ mốc',
    afterPerDay: 'Từ mốc (bình quân/ngày)',
    change: 'Thay đổi bình quân/ngày',
    period: 'Kỳ',
    agency: 'Đơn vị',
    received: 'Tiếp nhận',
    confirmed: 'Xác nhận',
    rejected: 'Loại bỏ',
    rejected_stopped_before_line: 'Loại: dừng trước vạch',
    rejected_emergency_vehicle: 'Loại: xe ưu tiên',
    rejected_plate_unreadable: 'Loại: không đọc được biển',
    rejected_image_unclear: 'Loại: hình ảnh không rõ',
    rejected_duplicate: 'Loại: trùng lặp',
    rejected_not_violation: 'Loại: không vi phạm',
    rejected_other: 'Loại: lý do khác',
    noticed: 'Đã gửi thông báo',
    resolved: 'Đã giải quyết',
    paid: 'Đã nộp phạt',
    lapsed: 'Hết thời hiệu',
    vehicleType: 'Loại phương tiện',
    share: 'Tỷ lệ',
    noticedShare: 'Tỷ lệ thông báo',
    reviewer: 'Cán bộ',
    decisions: 'Số quyết định xử lý',
    approvalRate: 'Tỷ lệ xác nhận',
    perActiveDay: 'Bình quân/ngày làm việc',
    approved: 'Phê duyệt',
    returned: 'Bị trả lại',
    noticeOnTime: 'Thông báo đúng hạn',
    noticeLate: 'Thông báo trễ hạn',
    noticeOnTimeRate: 'Tỷ lệ đúng hạn',
    noticeMissing: 'Quá 10 ngày chưa thông báo',
    escalatedOnTime: 'Cảnh báo đúng hạn (20 ngày)',
    escalatedLate: 'Cảnh báo trễ hạn',
    escalationOwed: 'Quá hạn chưa cảnh báo',
  },
  en: {
    day: 'Day',
    camera: 'Camera',
    red_light: 'Red light',
    wrong_lane: 'Wrong lane',
    wrong_way: 'Wrong way',
    speeding: 'Speeding',
    total: 'Total',
    before: 'Before',
    beforePerDay: 'Before (per day)',
    after: 'After',
    afterPerDay: 'After (per day)',
    change: 'Change per day',
    period: 'Period',
    agency: 'Agency',
    received: 'Received',
    confirmed: 'Confirmed',
    rejected: 'Rejected',
    rejected_stopped_before_line: 'Rejected: stopped before line',
    rejected_emergency_vehicle: 'Rejected: emergency vehicle',
    rejected_plate_unreadable: 'Rejected: plate unreadable',
    rejected_image_unclear: 'Rejected: image unclear',
    rejected_duplicate: 'Rejected: duplicate',
    rejected_not_violation: 'Rejected: not a violation',
    rejected_other: 'Rejected: other',
    noticed: 'Notices sent',
    resolved: 'Resolved',
    paid: 'Paid',
    lapsed: 'Lapsed',
    vehicleType: 'Vehicle type',
    share: 'Share',
    noticedShare: 'Share of notices',
    reviewer: 'Reviewer',
    decisions: 'Decisions',
    approvalRate: 'Approval rate',
    perActiveDay: 'Per working day',
    approved: 'Approved',
    returned: 'Returned',
    noticeOnTime: 'Notices on time',
    noticeLate: 'Notices late',
    noticeOnTimeRate: 'On-time rate',
    noticeMissing: 'No notice after 10 days',
    escalatedOnTime: 'Escalated on time (20 days)',
    escalatedLate: 'Escalated late',
    escalationOwed: 'Escalation overdue',
  },
};
const VEHICLES: Record<Lang, Labels> = {
  vi: { car: 'Ô tô', motorbike: 'Xe máy', bus: 'Xe khách', truck: 'Xe tải', bicycle: 'Xe đạp', unknown: 'Không xác định' },
  en: { car: 'Car', motorbike: 'Motorbike', bus: 'Bus', truck: 'Truck', bicycle: 'Bicycle', unknown: 'Unknown' },
};

export function reportTitle(kind: ReportKind, lang: Lang): string {
  return TITLES[lang][kind];
}
export function columnLabel(key: string, lang: Lang): string {
  return COLUMNS[lang][key] ?? key;
}
/** A cell as text in a file: labels for the codes a report carries, dates dd/mm/yyyy in Vietnamese. */
function cellText(t: ReportTable, col: number, v: string | number | null, lang: Lang): string {
  if (v === null) return '';
  const c = t.columns[col]!;
  if (c.key === 'vehicleType' && typeof v === 'string') return VEHICLES[lang][v] ?? v;
  if (col === 0 && v === 'total') return columnLabel('total', lang);
  return String(v);
}
const periodLine = (t: ReportTable, lang: Lang) => (lang === 'vi' ? `Từ ngày ${t.from} đến ngày ${t.to}` : `From ${t.from} to ${t.to}`);

export function reportCsv(t: ReportTable, lang: Lang): Buffer {
  const esc = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [t.columns.map((c) => esc(columnLabel(c.key, lang))).join(',')];
  for (const row of [...t.rows, t.totals]) lines.push(row.map((v, i) => esc(cellText(t, i, v, lang))).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** One sheet: the column headings on row 1, a row per line of the report, the totals last. */
export async function reportXlsx(t: ReportTable, lang: Lang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Phạt nguội';
  wb.created = new Date(0);
  const ws = wb.addWorksheet(t.kind, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = t.columns.map((c) => ({ header: columnLabel(c.key, lang), key: c.key, width: Math.max(12, columnLabel(c.key, lang).length + 2) }));
  for (const row of [...t.rows, t.totals]) {
    ws.addRow(row.map((v, i) => (typeof v === 'number' ? v : cellText(t, i, v, lang))));
  }
  t.columns.forEach((c, i) => {
    if (c.kind === 'share') ws.getColumn(i + 1).numFmt = '0.0%';
    else if (c.kind === 'int') ws.getColumn(i + 1).numFmt = '#,##0';
  });
  ws.getRow(1).font = { bold: true };
  ws.getRow(ws.rowCount).font = { bold: true };
  ws.headerFooter.oddHeader = `${reportTitle(t.kind, lang)} · ${periodLine(t, lang)}`;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function printed(t: ReportTable, col: number, v: string | number | null, lang: Lang): string {
  if (typeof v !== 'number') return cellText(t, col, v, lang);
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  if (t.columns[col]!.kind === 'share') return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(v);
}

/** The printed report: unit, title, period, a table that continues over pages with its heading repeated. */
export async function reportPdf(t: ReportTable, lang: Lang, unit: string, printedAt: Date, fonts: NoticeFonts = DEFAULT_NOTICE_FONTS): Promise<Buffer> {
  const { doc, done } = openPdf(
    {
      size: 'A4',
      layout: 'landscape',
      margins: { top: 36, bottom: 36, left: 36, right: 36 },
      info: { Title: reportTitle(t.kind, lang), Author: unit },
    },
    fonts,
  );
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.font('bold').fontSize(10).text(unit.toUpperCase(), left, doc.y, { width });
  doc.moveDown(0.5);
  doc.font('bold').fontSize(14).text(reportTitle(t.kind, lang).toUpperCase(), { width, align: 'center' });
  doc.font('body').fontSize(10).text(periodLine(t, lang), { width, align: 'center' });
  doc.moveDown(0.6);
  const n = t.columns.length;
  const firstW = Math.min(220, width * 0.28);
  const colW = (width - firstW) / Math.max(1, n - 1);
  const widths = t.columns.map((_, i) => (i === 0 ? firstW : colW));
  const fontSize = n > 10 ? 6.5 : 8;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'body').fontSize(fontSize);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 4 }))) + 4;
    if (doc.y + h > doc.page.height - doc.page.margins.bottom - 14) {
      doc.addPage();
      if (!bold || cells !== heading) drawRow(heading, true);
    }
    const y = doc.y;
    let x = left;
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: widths[i]! - 4, align: i === 0 || t.columns[i]!.kind === 'text' || t.columns[i]!.kind === 'date' ? 'left' : 'right' });
      x += widths[i]!;
    });
    doc
      .moveTo(left, y + h)
      .lineTo(left + width, y + h)
      .lineWidth(0.3)
      .stroke();
    doc.y = y + h;
  };
  const heading = t.columns.map((c) => columnLabel(c.key, lang));
  drawRow(heading, true);
  for (const row of t.rows)
    drawRow(
      row.map((v, i) => printed(t, i, v, lang)),
      false,
    );
  drawRow(
    t.totals.map((v, i) => printed(t, i, v, lang)),
    true,
  );
  doc.moveDown(1);
  const when = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' }).format(
    printedAt,
  );
  doc
    .font('body')
    .fontSize(8)
    .text(lang === 'vi' ? `In lúc ${when} (giờ Việt Nam)` : `Printed ${when} (Vietnam time)`, left, doc.y, { width });
  doc.end();
  return done;
}

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

export async function reportFile(
  t: ReportTable,
  format: 'csv' | 'xlsx' | 'pdf',
  lang: Lang,
  unit: string,
  now: Date,
  fonts?: NoticeFonts,
): Promise<{ body: Buffer; contentType: string; filename: string }> {
  const body = format === 'csv' ? reportCsv(t, lang) : format === 'xlsx' ? await reportXlsx(t, lang) : await reportPdf(t, lang, unit, now, fonts);
  return { body, contentType: CONTENT_TYPES[format], filename: `bao-cao-${t.kind}-${t.from}-${t.to}.${format}` };
}
