// Province of a plate's two-digit code (registration locality, Circular 24/2023/TT-BCA annex), as printed on
// documents. Used for owners' addresses in demo data and as a fallback place name on notices.
const NAMES: [number[], string][] = [
  [[11], 'Cao Bằng'], [[12], 'Lạng Sơn'], [[14], 'Quảng Ninh'], [[15, 16], 'Hải Phòng'], [[17], 'Thái Bình'], [[18], 'Nam Định'],
  [[19], 'Phú Thọ'], [[20], 'Thái Nguyên'], [[21], 'Yên Bái'], [[22], 'Tuyên Quang'], [[23], 'Hà Giang'], [[24], 'Lào Cai'],
  [[25], 'Lai Châu'], [[26], 'Sơn La'], [[27], 'Điện Biên'], [[28], 'Hòa Bình'], [[29, 30, 31, 32, 33, 40], 'Hà Nội'],
  [[34], 'Hải Dương'], [[35], 'Ninh Bình'], [[36], 'Thanh Hóa'], [[37], 'Nghệ An'], [[38], 'Hà Tĩnh'], [[43], 'Đà Nẵng'],
  [[47], 'Đắk Lắk'], [[48], 'Đắk Nông'], [[49], 'Lâm Đồng'], [[41, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59], 'TP Hồ Chí Minh'],
  [[60], 'Đồng Nai'], [[61], 'Bình Dương'], [[62], 'Long An'], [[63], 'Tiền Giang'], [[64], 'Vĩnh Long'], [[65], 'Cần Thơ'],
  [[66], 'Đồng Tháp'], [[67], 'An Giang'], [[68], 'Kiên Giang'], [[69], 'Cà Mau'], [[70], 'Tây Ninh'], [[71], 'Bến Tre'],
  [[72], 'Bà Rịa - Vũng Tàu'], [[73], 'Quảng Bình'], [[74], 'Quảng Trị'], [[75], 'Thừa Thiên Huế'], [[76], 'Quảng Ngãi'],
  [[77], 'Bình Định'], [[78], 'Phú Yên'], [[79], 'Khánh Hòa'], [[81], 'Gia Lai'], [[82], 'Kon Tum'], [[83], 'Sóc Trăng'],
  [[84], 'Trà Vinh'], [[85], 'Ninh Thuận'], [[86], 'Bình Thuận'], [[88], 'Vĩnh Phúc'], [[89], 'Hưng Yên'], [[90], 'Hà Nam'],
  [[92], 'Quảng Nam'], [[93], 'Bình Phước'], [[94], 'Bạc Liêu'], [[95], 'Hậu Giang'], [[97], 'Bắc Kạn'], [[98], 'Bắc Giang'],
  [[99], 'Bắc Ninh'],
];
const BY_CODE = new Map<string, string>(NAMES.flatMap(([codes, name]) => codes.map((c) => [String(c), name] as [string, string])));

/** The province of a plate code (`63` → Tiền Giang); null for codes not issued to a province. */
export function provinceOfPlateCode(code: string): string | null {
  return BY_CODE.get(String(Number(code))) ?? null;
}
