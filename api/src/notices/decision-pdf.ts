// The penalty decision (Quyết định xử phạt vi phạm hành chính) as a one-page administrative document: issuing unit
// and national motto, number with symbol, place and date, the grounds, the articles (who, what, where, when, fine,
// points, where and by when to pay), the signature block.
import { formatVnd } from '../services/fines';
import { provinceOfPlateCode } from '../domain/provinces';
import { formatVnTime, vehicleTypeVi } from './pdf';
import { DEFAULT_NOTICE_FONTS, openPdf, type NoticeFonts } from './fonts';

export interface DecisionDocument {
  number: string;
  /** yyyy-mm-dd */
  decidedOn: string;
  unit: string;
  unitAddress: string | null;
  provinceCode: string;
  officerName: string;
  officerTitle: string;
  violatorName: string;
  violatorAddress: string;
  plate: string;
  vehicleType: string;
  occurredAt: Date;
  place: string;
  offence: string;
  article: string;
  legalBasis: string;
  amount: number;
  points: number;
  payBy: string;
  noticeNumber: string | null;
}

const dmy = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

export async function renderDecisionPdf(d: DecisionDocument, fonts: NoticeFonts = DEFAULT_NOTICE_FONTS): Promise<Buffer> {
  const { doc, done } = openPdf(
    {
      size: 'A4',
      margins: { top: 45, bottom: 45, left: 55, right: 50 },
      info: { Title: `Quyết định xử phạt ${d.number}`, Author: d.unit },
    },
    fonts,
  );
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const colL = { x: left - 15, w: 235 };
  const colR = { x: left + 225, w: width - 225 };
  const top = doc.y;
  doc.font('bold').fontSize(10).text(d.unit.toUpperCase(), colL.x, top, { width: colL.w, align: 'center' });
  doc
    .font('body')
    .fontSize(10.5)
    .text(`Số: ${d.number}`, colL.x, doc.y + 8, { width: colL.w, align: 'center' });
  const leftBottom = doc.y;
  doc.font('bold').fontSize(10.5).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', colR.x, top, { width: colR.w, align: 'center' });
  doc.font('bold').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', colR.x, doc.y, { width: colR.w, align: 'center' });
  const place =
    d.unitAddress
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .at(-1) ??
    provinceOfPlateCode(d.provinceCode) ??
    'Việt Nam';
  doc
    .font('italic')
    .fontSize(10.5)
    .text(`${place}, ngày ${d.decidedOn.slice(8, 10)} tháng ${d.decidedOn.slice(5, 7)} năm ${d.decidedOn.slice(0, 4)}`, colR.x, doc.y + 8, {
      width: colR.w,
      align: 'center',
    });
  doc.y = Math.max(leftBottom, doc.y) + 18;

  doc.font('bold').fontSize(14).text('QUYẾT ĐỊNH', left, doc.y, { width, align: 'center' });
  doc.fontSize(11).text('Xử phạt vi phạm hành chính', { width, align: 'center' });
  doc.moveDown(0.6);
  doc.font('body').fontSize(10.5);
  const para = (text: string) => doc.text(text, left, doc.y, { width, align: 'justify' });
  para('Căn cứ Luật Xử lý vi phạm hành chính ngày 20 tháng 6 năm 2012, được sửa đổi, bổ sung năm 2020;');
  para(`Căn cứ ${d.legalBasis} quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ;`);
  if (d.noticeNumber) para(`Căn cứ Thông báo số ${d.noticeNumber} về việc phương tiện vi phạm được phát hiện qua hệ thống thiết bị kỹ thuật nghiệp vụ;`);
  doc.moveDown(0.4);
  doc.font('bold').text('QUYẾT ĐỊNH:', { width, align: 'center' });
  doc.moveDown(0.3);
  const article = (title: string, text: string) => {
    doc.font('bold').text(`${title} `, left, doc.y, { width, continued: true });
    doc.font('body').text(text, { align: 'justify' });
  };
  article(
    'Điều 1.',
    `Xử phạt vi phạm hành chính đối với Ông (Bà): ${d.violatorName || '(chưa xác định)'}; địa chỉ: ${d.violatorAddress || '(chưa xác định)'}; ` +
      `người điều khiển phương tiện ${vehicleTypeVi(d.vehicleType).toLowerCase()}, biển kiểm soát ${d.plate}.`,
  );
  para(`Đã thực hiện hành vi vi phạm hành chính: ${d.offence}, lúc ${formatVnTime(d.occurredAt)} tại ${d.place}; quy định tại ${d.article} ${d.legalBasis}.`);
  para(`Hình thức xử phạt chính: phạt tiền ${formatVnd(d.amount)} (${d.amount.toLocaleString('vi-VN')} đồng).`);
  para(`Hình thức xử phạt bổ sung, biện pháp khác: trừ điểm giấy phép lái xe: ${d.points > 0 ? `${d.points} điểm` : 'không'}.`);
  doc.moveDown(0.3);
  article(
    'Điều 2.',
    `Quyết định này có hiệu lực kể từ ngày ký. Người bị xử phạt phải nộp tiền phạt trong thời hạn 10 ngày, chậm nhất ngày ${dmy(d.payBy)}, ` +
      'tại Kho bạc Nhà nước, ngân hàng thương mại được ủy nhiệm thu, qua Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) hoặc ứng dụng giao thông, ' +
      `ghi rõ số quyết định ${d.number}. Quá thời hạn trên mà không chấp hành thì bị cưỡng chế thi hành theo quy định của pháp luật.`,
  );
  doc.moveDown(0.3);
  article('Điều 3.', 'Người bị xử phạt có quyền khiếu nại, khởi kiện đối với quyết định này theo quy định của pháp luật.');
  doc.moveDown(1);
  const sig = doc.y;
  doc.font('bold').fontSize(9.5).text('Nơi nhận:', colL.x, sig, { width: colL.w });
  doc.font('body').fontSize(9).text('- Người bị xử phạt;', colL.x, doc.y, { width: colL.w });
  doc.text('- Kho bạc Nhà nước (để thu tiền phạt);', colL.x, doc.y, { width: colL.w });
  doc.text('- Lưu: hồ sơ vụ việc.', colL.x, doc.y, { width: colL.w });
  doc.font('bold').fontSize(10.5).text(d.officerTitle.toUpperCase(), colR.x, sig, { width: colR.w, align: 'center' });
  doc
    .font('italic')
    .fontSize(9.5)
    .text('(Đã ký)', colR.x, doc.y + 2, { width: colR.w, align: 'center' });
  doc
    .font('bold')
    .fontSize(10.5)
    .text(d.officerName, colR.x, doc.y + 36, { width: colR.w, align: 'center' });
  doc.end();
  return done;
}
