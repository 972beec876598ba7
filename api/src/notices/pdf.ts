// The violation notice as a Vietnamese administrative document (pdfkit, embedded DejaVu fonts for full Unicode):
// issuing unit and national motto side by side, number with document symbol, place and date, addressee, every
// field of Circular 73/2024/TT-BCA Art. 24 (vehicle type, plate, plate colour, time, place, offence, detecting and
// resolving unit with its contact), one offence per line with its fine range, legal basis and points, where and by
// when to resolve it, the signature and title block of the issuing officer; then the evidence stills with their
// local time and place, the full SHA-256 of every evidence file, and a QR code to the public lookup.
import QRCode from 'qrcode';
import sharp from 'sharp';
import { formatVnd } from '../services/fines';
import { DEFAULT_NOTICE_FONTS, openPdf, type NoticeFonts } from './fonts';

export interface NoticeOffence {
  /** The offence as the decree words it. */
  description: string;
  article: string;
  legalBasis: string;
  fineMin: number;
  fineMax: number;
  points: number;
}

export interface NoticeEvidence {
  kind: string;
  sha256: string;
  capturedAt: Date;
  contentType: string;
  /** The still itself (images only; clips are listed with their hash). */
  image: Buffer | null;
}

export interface NoticeData {
  /** `000123/TB-PC08-TG`, or the preview marker. */
  number: string;
  issuedAt: Date;
  resolveBy: Date;
  /** The unit above the issuing one (`CÔNG AN TỈNH TIỀN GIANG`); null when none is known. */
  parentUnit: string | null;
  /** Where the document is issued (`Tiền Giang`), for the place and date line. */
  issuePlace: string;
  vehicleType: string;
  plate: string;
  plateColour: string | null;
  /** Make, model and colour from the registry, when it has them. */
  vehicleDescription: string | null;
  occurredAt: Date;
  place: string;
  /** The detector's offence type (`red_light`, `wrong_lane`, …): it names the scenes. */
  violationType: string;
  /** What the camera recorded (`Vượt vạch dừng khi đèn đỏ 2,0 s`). */
  circumstances: string;
  offences: NoticeOffence[];
  detectingUnit: string;
  resolvingUnit: string;
  resolvingAddress: string;
  resolvingPhone: string;
  ownerName: string;
  ownerAddress: string;
  lookupUrl: string;
  evidence: NoticeEvidence[];
  /** The officer who issues the notice, and the title printed above the name. */
  issuer: { name: string; title: string };
}

const VEHICLE_VI: Record<string, string> = {
  car: 'Ô tô',
  motorbike: 'Mô tô, xe gắn máy',
  bus: 'Ô tô khách',
  truck: 'Ô tô tải',
  bicycle: 'Xe đạp',
  unknown: 'Không xác định',
};
const COLOUR_VI: Record<string, string> = { white: 'Nền trắng, chữ đen', yellow: 'Nền vàng, chữ đen', blue: 'Nền xanh, chữ trắng', red: 'Nền đỏ, chữ trắng' };
const EVIDENCE_VI: Record<string, string> = {
  clip: 'Đoạn video',
  scene_before: 'Ảnh toàn cảnh đầu đoạn vi phạm',
  scene_after: 'Ảnh toàn cảnh cuối đoạn vi phạm',
  vehicle_crop: 'Ảnh phương tiện',
  plate_crop: 'Ảnh biển số',
};
/** Order of the stills on the evidence page. */
const STILL_ORDER = ['scene_before', 'scene_after', 'vehicle_crop', 'plate_crop'];

const p2 = (n: number) => n.toString().padStart(2, '0');
/** Vietnam time (UTC+7, no daylight saving: Asia/Ho_Chi_Minh). */
const vn = (d: Date) => new Date(d.getTime() + 7 * 3600_000);

/** `HH:mm:ss ngày dd/MM/yyyy` in Vietnam time. */
export function formatVnTime(d: Date): string {
  const t = vn(d);
  return `${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} ngày ${p2(t.getUTCDate())}/${p2(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
}
export function formatVnDate(d: Date): string {
  const t = vn(d);
  return `${p2(t.getUTCDate())}/${p2(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
}
/** `Tiền Giang, ngày 07 tháng 12 năm 2026`: the place and date line of an administrative document. */
export function placeDateLine(place: string, d: Date): string {
  const t = vn(d);
  return `${place}, ngày ${p2(t.getUTCDate())} tháng ${p2(t.getUTCMonth() + 1)} năm ${t.getUTCFullYear()}`;
}
export function vehicleTypeVi(t: string): string {
  return VEHICLE_VI[t] ?? t;
}
/** A red-light case's two scenes are taken on either side of the stop line; other offences' at the start and end of the offence. */
const RED_LIGHT_SCENE_VI: Record<string, string> = {
  scene_before: 'Ảnh toàn cảnh trước vạch dừng',
  scene_after: 'Ảnh toàn cảnh sau vạch dừng',
};
export function evidenceKindVi(kind: string, violationType: string): string {
  return (violationType === 'red_light' ? RED_LIGHT_SCENE_VI[kind] : undefined) ?? EVIDENCE_VI[kind] ?? 'Tệp chứng cứ';
}

export async function renderNoticePdf(n: NoticeData, fonts: NoticeFonts = DEFAULT_NOTICE_FONTS): Promise<Buffer> {
  const qr = await QRCode.toBuffer(n.lookupUrl, { errorCorrectionLevel: 'M', margin: 1, width: 300 });
  // pdfkit embeds JPEG and PNG; normalise what the camera stored and bound its size.
  const stills = await Promise.all(
    n.evidence
      .filter((e) => e.image && e.contentType.startsWith('image/'))
      .sort((a, b) => STILL_ORDER.indexOf(a.kind) - STILL_ORDER.indexOf(b.kind))
      .map(async (e) => ({ ...e, jpeg: await sharp(e.image!).resize({ width: 1280, withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer() })),
  );
  const { doc, done } = openPdf(
    {
      size: 'A4',
      margins: { top: 45, bottom: 45, left: 55, right: 50 },
      bufferPages: true,
      info: { Title: `Thông báo vi phạm ${n.number}`, Author: n.detectingUnit, Subject: `Biển kiểm soát ${n.plate}` },
    },
    fonts,
  );
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  // Heading: issuing unit (left) and national motto (right), side by side.
  const top = doc.y;
  const colL = { x: left - 15, w: 235 };
  const colR = { x: left + 225, w: width - 225 };
  doc.font('body').fontSize(10);
  if (n.parentUnit) doc.text(n.parentUnit.toUpperCase(), colL.x, top, { width: colL.w, align: 'center' });
  doc
    .font('bold')
    .fontSize(10)
    .text(n.detectingUnit.toUpperCase(), colL.x, n.parentUnit ? doc.y : top, { width: colL.w, align: 'center' });
  const ruleL = doc.y + 2;
  doc.font('bold').fontSize(10.5).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', colR.x, top, { width: colR.w, align: 'center' });
  doc.font('bold').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', colR.x, doc.y, { width: colR.w, align: 'center' });
  const ruleR = doc.y + 2;
  doc
    .moveTo(colL.x + colL.w / 2 - 35, ruleL)
    .lineTo(colL.x + colL.w / 2 + 35, ruleL)
    .lineWidth(0.6)
    .stroke();
  doc
    .moveTo(colR.x + colR.w / 2 - 75, ruleR)
    .lineTo(colR.x + colR.w / 2 + 75, ruleR)
    .stroke();
  // number (left) and place and date (right) on one line, below both rules
  const numberY = Math.max(ruleL, ruleR) + 8;
  doc.font('body').fontSize(10.5).text(`Số: ${n.number}`, colL.x, numberY, { width: colL.w, align: 'center' });
  const leftBottom = doc.y;
  doc.font('italic').fontSize(10.5).text(placeDateLine(n.issuePlace, n.issuedAt), colR.x, numberY, { width: colR.w, align: 'center' });
  doc.y = Math.max(leftBottom, doc.y) + 16;

  doc.font('bold').fontSize(14).text('THÔNG BÁO', left, doc.y, { width, align: 'center' });
  doc.fontSize(10.5).text('Về việc phương tiện vi phạm hành chính về trật tự, an toàn giao thông đường bộ', { width, align: 'center' });
  doc.text('được phát hiện qua hệ thống thiết bị kỹ thuật nghiệp vụ', { width, align: 'center' });
  doc.moveDown(0.6);
  doc.font('bold').fontSize(11).text(`Kính gửi: Ông (Bà) ${n.ownerName}`, { width, align: 'center' });
  doc.font('body').text(`Địa chỉ: ${n.ownerAddress}`, { width, align: 'center' });
  doc.moveDown(0.6);

  doc.font('body').fontSize(10.5);
  const para = (text: string) => doc.text(text, left, doc.y, { width, align: 'justify' });
  para(
    'Căn cứ Luật Xử lý vi phạm hành chính; Nghị định số 168/2024/NĐ-CP của Chính phủ quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ; Điều 24 Thông tư số 73/2024/TT-BCA của Bộ trưởng Bộ Công an;',
  );
  para(
    `${n.detectingUnit} thông báo: hệ thống thiết bị kỹ thuật nghiệp vụ đã ghi nhận phương tiện dưới đây vi phạm hành chính về trật tự, an toàn giao thông đường bộ:`,
  );
  doc.moveDown(0.3);
  const field = (no: string, label: string, value: string) => {
    doc.font('bold').text(`${no}. ${label}: `, left + 10, doc.y, { width: width - 10, continued: true });
    doc.font('body').text(value);
  };
  field('1', 'Biển kiểm soát', n.plate);
  field('2', 'Màu biển', n.plateColour ? (COLOUR_VI[n.plateColour] ?? n.plateColour) : 'Không xác định');
  field('3', 'Loại phương tiện', `${vehicleTypeVi(n.vehicleType)}${n.vehicleDescription ? ` (${n.vehicleDescription})` : ''}`);
  field('4', 'Thời gian vi phạm', `${formatVnTime(n.occurredAt)} (giờ Việt Nam)`);
  field('5', 'Địa điểm vi phạm', n.place);
  doc.font('bold').text('6. Hành vi vi phạm:', left + 10, doc.y, { width: width - 10 });
  n.offences.forEach((o, i) => {
    doc
      .font('body')
      .text(
        `${String.fromCharCode(97 + i)}) ${o.description}; quy định tại ${o.article} ${o.legalBasis}; mức phạt tiền từ ${formatVnd(o.fineMin)} đến ${formatVnd(o.fineMax)}; ` +
          `trừ điểm giấy phép lái xe: ${o.points > 0 ? `${o.points} điểm` : 'không'}.`,
        left + 24,
        doc.y,
        { width: width - 24, align: 'justify' },
      );
  });
  if (n.circumstances) field('7', 'Tình tiết ghi nhận', n.circumstances);
  field(n.circumstances ? '8' : '7', 'Đơn vị phát hiện', n.detectingUnit);
  field(
    n.circumstances ? '9' : '8',
    'Đơn vị giải quyết',
    `${n.resolvingUnit}; địa chỉ: ${n.resolvingAddress || 'không có'}; điện thoại: ${n.resolvingPhone || 'không có'}`,
  );
  doc.moveDown(0.4);
  doc.font('body');
  para(
    `Đề nghị chủ phương tiện (hoặc người điều khiển phương tiện tại thời điểm vi phạm) đến ${n.resolvingUnit}, địa chỉ ${n.resolvingAddress || '(xem trên trang tra cứu)'}, ` +
      `điện thoại ${n.resolvingPhone || '(xem trên trang tra cứu)'}, trước ngày ${formatVnDate(n.resolveBy)} để giải quyết vụ việc; khi đến mang theo thông báo này, ` +
      'giấy tờ tùy thân, giấy đăng ký xe và giấy phép lái xe. Chủ phương tiện có trách nhiệm phối hợp xác định người điều khiển phương tiện tại thời điểm vi phạm.',
  );
  para(
    `Quá 20 ngày kể từ ngày gửi thông báo mà chủ phương tiện không đến giải quyết, ${n.detectingUnit} sẽ thông báo cho cơ quan đăng kiểm và cơ quan đăng ký xe` +
      `${n.vehicleType === 'motorbike' ? ', đồng thời gửi thông báo tới Công an xã, phường nơi chủ phương tiện cư trú' : ''} theo quy định.`,
  );
  para(`Tra cứu thông tin vi phạm và xem hình ảnh, video chứng cứ: quét mã QR ở trang sau hoặc truy cập ${n.lookupUrl}`);
  doc.moveDown(0.8);

  // Signature block: recipients (left), title, signature and name of the issuing officer (right).
  if (doc.y > doc.page.height - doc.page.margins.bottom - 120) doc.addPage();
  const sig = doc.y;
  doc.font('bold').fontSize(9.5).text('Nơi nhận:', colL.x, sig, { width: colL.w });
  doc.font('body').fontSize(9).text('- Như trên;', colL.x, doc.y, { width: colL.w });
  doc.text('- Đơn vị giải quyết (để phối hợp);', colL.x, doc.y, { width: colL.w });
  doc.text('- Lưu: hồ sơ vụ việc.', colL.x, doc.y, { width: colL.w });
  doc.font('bold').fontSize(10.5).text(n.issuer.title.toUpperCase(), colR.x, sig, { width: colR.w, align: 'center' });
  doc
    .font('italic')
    .fontSize(9.5)
    .text('(Đã ký)', colR.x, doc.y + 2, { width: colR.w, align: 'center' });
  doc
    .font('bold')
    .fontSize(10.5)
    .text(n.issuer.name, colR.x, doc.y + 36, { width: colR.w, align: 'center' });

  // Evidence page: stills with local time and place, the QR code, and the full SHA-256 of every evidence file.
  doc.addPage();
  doc.font('bold').fontSize(12).text('HÌNH ẢNH VI PHẠM VÀ MÃ BĂM CHỨNG CỨ', left, doc.y, { width, align: 'center' });
  doc.font('body').fontSize(9).text(`Kèm theo Thông báo số ${n.number} · Biển kiểm soát ${n.plate}`, { width, align: 'center' });
  doc.moveDown(0.5);
  const cellW = (width - 12) / 2;
  const imgH = 150;
  let y = doc.y;
  if (stills.length === 0) {
    doc.font('italic').fontSize(9.5).text('(Hồ sơ không có ảnh chứng cứ; xem video tại trang tra cứu.)', left, y, { width });
    y = doc.y + 8;
  }
  for (let i = 0; i < stills.length; i += 2) {
    let rowBottom = y;
    for (const [j, s] of stills.slice(i, i + 2).entries()) {
      const x = left + j * (cellW + 12);
      doc.image(s.jpeg, x, y, { fit: [cellW, imgH], align: 'center', valign: 'center' });
      doc.rect(x, y, cellW, imgH).lineWidth(0.4).stroke();
      doc
        .font('bold')
        .fontSize(8.5)
        .text(evidenceKindVi(s.kind, n.violationType), x, y + imgH + 3, { width: cellW });
      doc
        .font('body')
        .fontSize(8)
        .text(`${formatVnTime(s.capturedAt)} (giờ Việt Nam) · ${n.place}`, x, doc.y, { width: cellW });
      rowBottom = Math.max(rowBottom, doc.y);
    }
    y = rowBottom + 10;
    if (y + imgH + 40 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.y;
    }
  }
  if (y + 160 > doc.page.height - doc.page.margins.bottom) {
    doc.addPage();
    y = doc.y;
  }
  doc.image(qr, left, y, { width: 110 });
  doc
    .font('bold')
    .fontSize(9.5)
    .text('Tra cứu vi phạm', left + 122, y + 4, { width: width - 122 });
  doc
    .font('body')
    .fontSize(9)
    .text('Quét mã QR hoặc truy cập địa chỉ dưới đây để xem thông tin vi phạm, hình ảnh và video chứng cứ:', left + 122, doc.y, { width: width - 122 });
  doc
    .font('mono')
    .fontSize(8.5)
    .text(n.lookupUrl, left + 122, doc.y + 2, { width: width - 122 });
  doc.y = Math.max(doc.y, y + 118);
  doc.font('bold').fontSize(9.5).text('Mã băm SHA-256 của các tệp chứng cứ (tính khi ghi nhận; dùng để phát hiện mọi chỉnh sửa):', left, doc.y, { width });
  if (n.evidence.length === 0) doc.font('body').fontSize(9).text('không có', left, doc.y, { width });
  n.evidence.forEach((e, i) => {
    doc
      .font('body')
      .fontSize(8.5)
      .text(`${i + 1}. ${evidenceKindVi(e.kind, n.violationType)} · ghi lúc ${formatVnTime(e.capturedAt)}`, left, doc.y + 2, { width });
    doc
      .font('mono')
      .fontSize(8)
      .text(e.sha256, left + 12, doc.y, { width: width - 12 });
  });

  // Number and page on every page.
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(7.5)
      .text(`Thông báo số ${n.number} · Trang ${i + 1}/${range.count}`, left, doc.page.height - 30, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
