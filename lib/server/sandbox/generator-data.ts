import "server-only";

/**
 * Invented sample data for the session generator: name parts, places and number formats per
 * country. Full names are random combinations of common given and family names, never real people;
 * company names are random combinations of generic words. Parsed once at module load.
 *
 * Number patterns: `9` digit, `8` non-zero digit, `A` letter A–Z, `X` letter or digit, anything
 * else literal.
 */

export type DocType = "Passport" | "Identity Card" | "Driver's License" | "Residence Permit";

/** A name part: as printed (`n`) and in Latin letters without diacritics (`l`, for e-mails). */
export type NamePart = { n: string; l: string };
export type City = { name: string; region: string; lat: number; lon: number };

type LocaleDef = {
  tag: string;
  a2: string;
  a3: string;
  country: string;
  timeZone: string;
  tzOffset: string;
  currency: string;
  /** `name|latin` entries where the script is not Latin; comma-separated. */
  male: string;
  female: string;
  last: string;
  /** Female forms of `last`, same order (Polish, Greek). */
  lastFemale?: string;
  doubleSurname?: boolean;
  familyFirst?: boolean;
  /** `name|region|lat|lon;…` */
  cities: string;
  streets: string;
  postal: string;
  address: (street: string, no: number, postal: string, city: City) => string;
  docs: Partial<Record<DocType, string>>;
  phonePrefix: string;
  phonePattern: string;
  carriers: string;
  ipPrefixes: string;
  isps: string;
  poaIssuers: string;
  /** Company words: `word#sector` (sector keys of SECTORS). */
  coA: string;
  coB: string;
  forms: string;
  company: (a: string, b: string, form: string) => string;
  registry: string;
  regPattern: string;
  shareCapital: [number, number];
};

export type Locale = {
  tag: string;
  a2: string;
  a3: string;
  country: string;
  timeZone: string;
  tzOffset: string;
  currency: string;
  male: NamePart[];
  female: NamePart[];
  last: NamePart[];
  lastFemale: NamePart[];
  doubleSurname: boolean;
  familyFirst: boolean;
  cities: City[];
  streets: string[];
  postal: string;
  address: (street: string, no: number, postal: string, city: City) => string;
  docTypes: DocType[];
  docs: Partial<Record<DocType, string>>;
  phonePrefix: string;
  phonePattern: string;
  carriers: string[];
  ipPrefixes: string[];
  isps: string[];
  poaIssuers: string[];
  coA: { word: string; sector: string }[];
  coB: string[];
  forms: string[];
  company: (a: string, b: string, form: string) => string;
  registry: string;
  regPattern: string;
  shareCapital: [number, number];
};

const FOLD: Record<string, string> = {
  ł: "l",
  Ł: "L",
  ß: "ss",
  ı: "i",
  đ: "d",
  Đ: "D",
  ø: "o",
  æ: "ae",
  "'": "",
};

/** Latin transliteration for e-mail handles: strips diacritics and maps the letters NFD keeps. */
export function asciiFold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[łŁßıđĐøæ']/g, (c) => FOLD[c] ?? c);
}

function names(list: string): NamePart[] {
  return list.split(",").map((entry) => {
    const [n, l] = entry.split("|") as [string, string | undefined];
    return { n, l: asciiFold(l ?? n) };
  });
}

function cities(list: string): City[] {
  return list.split(";").map((entry) => {
    const [name, region, lat, lon] = entry.split("|") as [string, string, string, string];
    return { name, region, lat: Number(lat), lon: Number(lon) };
  });
}

const list = (s: string) => s.split(",");

const comma = (street: string, no: number, postal: string, city: City) =>
  `${street} ${no}, ${postal} ${city.name}`;

const DEFS: LocaleDef[] = [
  {
    tag: "es-ES",
    a2: "ES",
    a3: "ESP",
    country: "Spain",
    timeZone: "Europe/Madrid",
    tzOffset: "+01:00",
    currency: "EUR",
    male: "José,Álvaro,Iñigo,Rubén,Andrés,Sebastián,Óscar,Joaquín",
    female: "María,Lucía,Begoña,Inés,Mónica,Raquel,Ángela,Sofía",
    last: "García,Muñoz,Peña,Ibáñez,Fernández,López,Martín,Gómez,Sáenz,Cortés",
    doubleSurname: true,
    cities:
      "Madrid|Comunidad de Madrid|40.42|-3.7;Sevilla|Andalucía|37.39|-5.99;Málaga|Andalucía|36.72|-4.42;Valencia|Comunitat Valenciana|39.47|-0.38;A Coruña|Galicia|43.36|-8.41",
    streets:
      "Calle Mayor,Avenida de la Constitución,Calle de Alcalá,Paseo de la Castellana,Calle Núñez de Balboa",
    postal: "99999",
    address: comma,
    docs: {
      "Identity Card": "99999999A",
      Passport: "AAA999999",
      "Driver's License": "99999999A",
      "Residence Permit": "Y9999999A",
    },
    phonePrefix: "+34",
    phonePattern: "6########",
    carriers: "Movistar,Vodafone,Orange",
    ipPrefixes: "83.50,88.27,79.148",
    isps: "Telefonica de Espana,Vodafone Spain,Orange Espagne",
    poaIssuers: "Eléctrica del Guadarrama,Aguas de la Vega,Banco Cantábrico Digital",
    coA: "Transportes#transport,Soluciones Logísticas#transport,Construcciones#construction,Distribuciones#trade,Ingeniería#software,Alimentación#food",
    coB: "Peñalara,Guadalquivir,Albarracín,Sierra Nevada,Cantábrico,Ibérica",
    forms: "S.L.,S.A.",
    company: (a, b, form) => `${a} ${b} ${form}`,
    registry: "Registro Mercantil Central",
    regPattern: "B99999999",
    shareCapital: [3000, 600000],
  },
  {
    tag: "de-DE",
    a2: "DE",
    a3: "DEU",
    country: "Germany",
    timeZone: "Europe/Berlin",
    tzOffset: "+01:00",
    currency: "EUR",
    male: "Jürgen,Björn,Lukas,Sören,Maximilian,Jörg,Matthäus",
    female: "Käthe,Bärbel,Lena,Hannelore,Marlene,Jördis,Anja",
    last: "Müller,Schröder,Weiß,Köhler,Groß,Böhm,Krüger,Schäfer,Fischer",
    cities:
      "München|Bayern|48.14|11.58;Köln|Nordrhein-Westfalen|50.94|6.96;Düsseldorf|Nordrhein-Westfalen|51.23|6.77;Nürnberg|Bayern|49.45|11.08;Lübeck|Schleswig-Holstein|53.87|10.69",
    streets: "Hauptstraße,Bahnhofstraße,Schloßallee,Münchner Straße,Gartenweg",
    postal: "99999",
    address: comma,
    docs: {
      "Identity Card": "LXXXXXXXX",
      Passport: "CXXXXXXXX",
      "Driver's License": "AXXXXXXXX9",
      "Residence Permit": "YXXXXXXXX",
    },
    phonePrefix: "+49",
    phonePattern: "15#########",
    carriers: "Telekom,Vodafone,O2",
    ipPrefixes: "91.64,87.123,93.220",
    isps: "Deutsche Telekom AG,Vodafone GmbH,Telefonica Germany",
    poaIssuers: "Stadtwerke Rheinauen,Nordlicht Energie GmbH,Sparkasse Weserbergland",
    coA: "Maschinenbau#manufacturing,Logistik#transport,Elektrotechnik#manufacturing,Bäckerei#food,Software#software",
    coB: "Rheinland,Schwarzwald,Nordstern,Alpenblick,Weserbergland",
    forms: "GmbH,AG,GmbH & Co. KG",
    company: (a, b, form) => `${b} ${a} ${form}`,
    registry: "Handelsregister",
    regPattern: "HRB 899999",
    shareCapital: [25000, 2000000],
  },
  {
    tag: "pl-PL",
    a2: "PL",
    a3: "POL",
    country: "Poland",
    timeZone: "Europe/Warsaw",
    tzOffset: "+01:00",
    currency: "PLN",
    male: "Łukasz,Wojciech,Paweł,Grzegorz,Michał,Jędrzej",
    female: "Małgorzata,Zofia,Agnieszka,Katarzyna,Joanna,Jadwiga",
    last: "Wiśniewski,Dąbrowski,Zieliński,Nowak,Wójcik,Kowalczyk,Gołębiowski",
    lastFemale: "Wiśniewska,Dąbrowska,Zielińska,Nowak,Wójcik,Kowalczyk,Gołębiowska",
    cities:
      "Łódź|łódzkie|51.76|19.46;Kraków|małopolskie|50.06|19.94;Gdańsk|pomorskie|54.35|18.65;Wrocław|dolnośląskie|51.11|17.03;Poznań|wielkopolskie|52.41|16.93",
    streets: "ul. Piotrkowska,ul. Świętokrzyska,ul. Długa,al. Jerozolimskie,ul. Żeromskiego",
    postal: "99-999",
    address: comma,
    docs: {
      "Identity Card": "AAA999999",
      Passport: "AA9999999",
      "Driver's License": "99999/99/9999",
      "Residence Permit": "RA9999999",
    },
    phonePrefix: "+48",
    phonePattern: "5########",
    carriers: "Orange,Play,Plus",
    ipPrefixes: "83.24,89.64,178.42",
    isps: "Orange Polska S.A.,Netia SA,P4 Sp. z o.o.",
    poaIssuers: "Energa Pomorze Obrót,Wodociągi Nadwiślańskie,Bank Mazowiecki Cyfrowy",
    coA: "Zakłady Przetwórcze#food,Usługi Transportowe#transport,Przedsiębiorstwo Budowlane#construction,Hurtownia#trade",
    coB: "Wisła,Bałtyk,Mazury,Tatry,Warta",
    forms: "sp. z o.o.,S.A.",
    company: (a, b, form) => `${a} ${b} ${form}`,
    registry: "Krajowy Rejestr Sądowy",
    regPattern: "0000899999",
    shareCapital: [5000, 1000000],
  },
  {
    tag: "tr-TR",
    a2: "TR",
    a3: "TUR",
    country: "Türkiye",
    timeZone: "Europe/Istanbul",
    tzOffset: "+03:00",
    currency: "TRY",
    male: "Emre,Oğuz,Çağrı,Barış,Mehmet,İbrahim",
    female: "Ayşe,Gülşen,Şule,Özlem,Elif,Büşra",
    last: "Yılmaz,Şahin,Öztürk,Çelik,Doğan,Aydın,Kılıç,Aksoy",
    cities:
      "İstanbul|İstanbul|41.01|28.98;İzmir|İzmir|38.42|27.14;Ankara|Ankara|39.93|32.86;Eskişehir|Eskişehir|39.78|30.52;Muğla|Muğla|37.22|28.36",
    streets: "Atatürk Caddesi,İstiklal Caddesi,Gül Sokak,Cumhuriyet Bulvarı,Çiçek Sokak",
    postal: "99999",
    address: (street, no, postal, city) => `${street} No: ${no}, ${postal} ${city.name}`,
    docs: {
      "Identity Card": "89999999999",
      Passport: "A99999999",
      "Driver's License": "999999",
      "Residence Permit": "99999999999",
    },
    phonePrefix: "+90",
    phonePattern: "5#########",
    carriers: "Turkcell,Vodafone TR,Türk Telekom",
    ipPrefixes: "88.230,78.180,85.105",
    isps: "Turk Telekom,Turkcell Superonline,Vodafone Net",
    poaIssuers: "Boğaziçi Elektrik Dağıtım,İzmir Su İdaresi,Anadolu Dijital Bankası",
    coA: "Gıda Sanayi#food,İnşaat#construction,Tekstil#textile,Lojistik#transport,Yazılım#software",
    coB: "Anadolu,Ege,Boğaziçi,Karadeniz,Kapadokya",
    forms: "A.Ş.,Ltd. Şti.",
    company: (a, b, form) => `${b} ${a} ${form}`,
    registry: "Ticaret Sicili (MERSİS)",
    regPattern: "0899999999999999",
    shareCapital: [50000, 5000000],
  },
  {
    tag: "el-GR",
    a2: "GR",
    a3: "GRC",
    country: "Greece",
    timeZone: "Europe/Athens",
    tzOffset: "+02:00",
    currency: "EUR",
    male: "Γιώργος|Giorgos,Δημήτρης|Dimitris,Νίκος|Nikos,Κωνσταντίνος|Konstantinos,Σπύρος|Spyros",
    female: "Ελένη|Eleni,Σοφία|Sofia,Μαρία|Maria,Κατερίνα|Katerina,Αθηνά|Athina",
    last: "Παπαδόπουλος|Papadopoulos,Νικολάου|Nikolaou,Γεωργίου|Georgiou,Οικονόμου|Oikonomou,Καραγιάννης|Karagiannis",
    lastFemale:
      "Παπαδοπούλου|Papadopoulou,Νικολάου|Nikolaou,Γεωργίου|Georgiou,Οικονόμου|Oikonomou,Καραγιάννη|Karagianni",
    cities:
      "Αθήνα|Αττική|37.98|23.73;Θεσσαλονίκη|Κεντρική Μακεδονία|40.64|22.94;Πάτρα|Δυτική Ελλάδα|38.25|21.73;Ηράκλειο|Κρήτη|35.34|25.13",
    streets: "Οδός Ερμού,Λεωφόρος Συγγρού,Οδός Αιόλου,Οδός Τσιμισκή",
    postal: "999 99",
    address: comma,
    docs: { "Identity Card": "AA999999", Passport: "AA9999999", "Driver's License": "999999999" },
    phonePrefix: "+30",
    phonePattern: "69########",
    carriers: "Cosmote,Vodafone GR,Nova",
    ipPrefixes: "94.66,79.129,46.12",
    isps: "OTE S.A.,Vodafone-Panafon,Nova Telecommunications",
    poaIssuers: "Ηλεκτρική Εταιρεία Αιγαίου,Ύδρευση Αττικής,Τράπεζα Ιονίου",
    coA: "Ναυτιλιακή#shipping,Τεχνική#construction,Εμπορική#trade,Τουριστική#tourism",
    coB: "Αιγαίου,Ολύμπου,Ιονίου,Κυκλάδων",
    forms: "Α.Ε.,Ι.Κ.Ε.",
    company: (a, b, form) => `${a} ${b} ${form}`,
    registry: "Γενικό Εμπορικό Μητρώο (ΓΕΜΗ)",
    regPattern: "899999999999",
    shareCapital: [5000, 800000],
  },
  {
    tag: "ja-JP",
    a2: "JP",
    a3: "JPN",
    country: "Japan",
    timeZone: "Asia/Tokyo",
    tzOffset: "+09:00",
    currency: "JPY",
    male: "大翔|Hiroto,蓮|Ren,悠真|Yuma,湊|Minato,陽太|Yota",
    female: "陽菜|Hina,結衣|Yui,葵|Aoi,さくら|Sakura,美咲|Misaki",
    last: "佐藤|Sato,鈴木|Suzuki,高橋|Takahashi,田中|Tanaka,渡辺|Watanabe,伊藤|Ito",
    familyFirst: true,
    cities:
      "新宿区|東京都|35.69|139.7;大阪市|大阪府|34.69|135.5;横浜市|神奈川県|35.44|139.64;札幌市|北海道|43.06|141.35;福岡市|福岡県|33.59|130.4",
    streets: "中央1丁目,本町2丁目,栄町3丁目,緑が丘4丁目",
    postal: "999-9999",
    address: (street, no, postal, city) => `〒${postal} ${city.region}${city.name}${street}${no}番`,
    docs: {
      "Identity Card": "899999999999",
      Passport: "AA9999999",
      "Driver's License": "999999999999",
      "Residence Permit": "AA99999999AA",
    },
    phonePrefix: "+81",
    phonePattern: "90########",
    carriers: "NTT docomo,au,SoftBank",
    ipPrefixes: "126.15,153.206,60.70",
    isps: "SoftBank Corp.,NTT Communications,KDDI",
    poaIssuers: "さくら電力,みなと水道局,青葉銀行",
    coA: "精機#manufacturing,商事#trade,電子#software,物流#transport,食品#food",
    coB: "さくら,富士見,青葉,北斗,瑞穂",
    forms: "株式会社,合同会社",
    company: (a, b, form) => `${form}${b}${a}`,
    registry: "法務局 商業登記",
    regPattern: "8999999999999",
    shareCapital: [1000000, 90000000],
  },
  {
    tag: "vi-VN",
    a2: "VN",
    a3: "VNM",
    country: "Viet Nam",
    timeZone: "Asia/Ho_Chi_Minh",
    tzOffset: "+07:00",
    currency: "VND",
    male: "Văn Minh,Đức Anh,Quốc Huy,Minh Khôi,Thành Long",
    female: "Thị Lan,Ngọc Ánh,Thu Hà,Mai Phương,Khánh Linh",
    last: "Nguyễn,Trần,Lê,Phạm,Hoàng,Vũ,Đặng",
    familyFirst: true,
    cities:
      "Hà Nội|Hà Nội|21.03|105.85;Thành phố Hồ Chí Minh|Thành phố Hồ Chí Minh|10.82|106.63;Đà Nẵng|Đà Nẵng|16.05|108.2;Huế|Thừa Thiên Huế|16.46|107.59;Hải Phòng|Hải Phòng|20.84|106.69",
    streets: "Phố Hàng Bạc,Đường Lê Lợi,Đường Nguyễn Huệ,Phố Huế",
    postal: "999999",
    address: (street, no, postal, city) => `Số ${no} ${street}, ${city.name} ${postal}`,
    docs: {
      "Identity Card": "099999999999",
      Passport: "A9999999",
      "Driver's License": "999999999999",
    },
    phonePrefix: "+84",
    phonePattern: "9########",
    carriers: "Viettel,Vinaphone,MobiFone",
    ipPrefixes: "113.160,14.161,171.224",
    isps: "VNPT,Viettel Group,FPT Telecom",
    poaIssuers: "Điện lực Sông Hồng,Cấp nước Phương Nam,Ngân hàng Trường Sơn",
    coA: "Thương mại#trade,Xây dựng#construction,Công nghệ#software,Vận tải#transport,Thực phẩm#food",
    coB: "Sông Hồng,Hạ Long,Phương Nam,Trường Sơn,Cửu Long",
    forms: "Công ty TNHH,Công ty Cổ phần",
    company: (a, b, form) => `${form} ${a} ${b}`,
    registry: "Cổng thông tin quốc gia về đăng ký doanh nghiệp",
    regPattern: "0899999999",
    shareCapital: [100000000, 9000000000],
  },
  {
    tag: "ar-EG",
    a2: "EG",
    a3: "EGY",
    country: "Egypt",
    timeZone: "Africa/Cairo",
    tzOffset: "+02:00",
    currency: "EGP",
    male: "أحمد|Ahmed,محمود|Mahmoud,يوسف|Youssef,كريم|Karim,عمر|Omar",
    female: "فاطمة|Fatma,ليلى|Laila,مريم|Mariam,نور|Nour,سلمى|Salma",
    last: "منصور|Mansour,الشريف|El-Sherif,عبد الرحمن|Abdelrahman,حسن|Hassan,السيد|El-Sayed,فهمي|Fahmy",
    cities:
      "القاهرة|محافظة القاهرة|30.04|31.24;الإسكندرية|محافظة الإسكندرية|31.2|29.92;الجيزة|محافظة الجيزة|30.01|31.21;المنصورة|محافظة الدقهلية|31.04|31.38",
    streets: "شارع التحرير,شارع الهرم,شارع النيل,شارع طلعت حرب",
    postal: "99999",
    address: (street, no, postal, city) => `${no} ${street}، ${city.name} ${postal}`,
    docs: {
      "Identity Card": "29999999999999",
      Passport: "A99999999",
      "Driver's License": "99999999",
    },
    phonePrefix: "+20",
    phonePattern: "10########",
    carriers: "Vodafone Egypt,Orange Egypt,Etisalat Misr",
    ipPrefixes: "41.32,197.34,156.200",
    isps: "TE Data,Vodafone Data,Orange Egypt",
    poaIssuers: "شركة كهرباء الدلتا,مياه النيل,بنك الأهرام الرقمي",
    coA: "للتجارة#trade,للمقاولات#construction,للصناعات الغذائية#food,للتكنولوجيا#software",
    coB: "النيل,الدلتا,الأهرام,سيناء",
    forms: "ش.م.م,ش.م.م.",
    company: (a, b, form) => `شركة ${b} ${a} ${form}`,
    registry: "السجل التجاري",
    regPattern: "899999",
    shareCapital: [50000, 5000000],
  },
  {
    tag: "fr-FR",
    a2: "FR",
    a3: "FRA",
    country: "France",
    timeZone: "Europe/Paris",
    tzOffset: "+01:00",
    currency: "EUR",
    male: "François,Jérôme,Benoît,Gaëtan,Théo,Loïc",
    female: "Éloïse,Hélène,Zoé,Chloé,Maëlle,Cécile",
    last: "Lefèvre,Dubois,Moreau,Bérard,Girard,Rousseau,Fontaine,Mercier",
    cities:
      "Lyon|Auvergne-Rhône-Alpes|45.76|4.84;Besançon|Bourgogne-Franche-Comté|47.24|6.02;Nîmes|Occitanie|43.84|4.36;Orléans|Centre-Val de Loire|47.9|1.91;Paris|Île-de-France|48.86|2.35",
    streets: "rue de la République,avenue Jean Jaurès,boulevard Victor Hugo,place du Marché,rue des Écoles",
    postal: "99999",
    address: (street, no, postal, city) => `${no} ${street}, ${postal} ${city.name}`,
    docs: {
      "Identity Card": "XXXXXXXXX",
      Passport: "99AA99999",
      "Driver's License": "999999999999",
      "Residence Permit": "9999999999",
    },
    phonePrefix: "+33",
    phonePattern: "6########",
    carriers: "Orange,SFR,Bouygues Telecom,Free Mobile",
    ipPrefixes: "90.45,86.246,82.64",
    isps: "Orange S.A.,SFR SA,Free SAS",
    poaIssuers: "Énergie du Rhône,Eaux de la Loire,Banque des Alpes",
    coA: "Boulangerie#food,Transports#transport,Ateliers#manufacturing,Conseil#consulting,Vignobles#wine",
    coB: "du Rhône,de la Loire,Lefèvre & Fils,Mercier,des Alpes",
    forms: "SAS,SARL,SA",
    company: (a, b, form) => `${a} ${b} ${form}`,
    registry: "Registre du commerce et des sociétés",
    regPattern: "899 999 999",
    shareCapital: [1000, 500000],
  },
  {
    tag: "en-GB",
    a2: "GB",
    a3: "GBR",
    country: "United Kingdom",
    timeZone: "Europe/London",
    tzOffset: "+00:00",
    currency: "GBP",
    male: "Oliver,Harry,Rhys,Callum,Alfie,Eóin",
    female: "Amelia,Niamh,Isla,Siobhán,Freya",
    last: "Whitaker,Ashworth,O'Connell,Pemberton,Hargreaves,Llewellyn",
    cities:
      "Manchester|England|53.48|-2.24;Leeds|England|53.8|-1.55;Cardiff|Wales|51.48|-3.18;Edinburgh|Scotland|55.95|-3.19;Bristol|England|51.45|-2.59",
    streets: "High Street,Station Road,Church Lane,Victoria Road,Mill Lane",
    postal: "A9 9AA",
    address: (street, no, postal, city) => `${no} ${street}, ${city.name} ${postal}`,
    docs: { Passport: "899999999", "Driver's License": "AAAAA899999AA9AA", "Residence Permit": "ZU9999999" },
    phonePrefix: "+44",
    phonePattern: "7#########",
    carriers: "EE,Vodafone UK,O2 UK,Three",
    ipPrefixes: "86.128,81.102,92.40",
    isps: "British Telecommunications PLC,Virgin Media Limited,Sky UK Limited",
    poaIssuers: "Pennine Power Ltd,Thamesbrook Water,Highgate Building Society",
    coA: "Analytics#software,Engineering#manufacturing,Logistics#transport,Bakery#food,Consulting#consulting",
    coB: "Ashworth,Pennine,Thamesbrook,Highgate,Cotswold",
    forms: "Ltd,PLC,LLP",
    company: (a, b, form) => `${b} ${a} ${form}`,
    registry: "Companies House",
    regPattern: "08999999",
    shareCapital: [100, 1000000],
  },
  {
    tag: "pt-BR",
    a2: "BR",
    a3: "BRA",
    country: "Brazil",
    timeZone: "America/Sao_Paulo",
    tzOffset: "-03:00",
    currency: "BRL",
    male: "João,Antônio,Luís,Caio,Thiago,Conrado",
    female: "Conceição,Letícia,Luíza,Ana Júlia,Beatriz,Lívia",
    last: "Gonçalves,Araújo,Conceição,Magalhães,Sampaio,Brandão",
    doubleSurname: true,
    cities:
      "São Paulo|SP|-23.55|-46.63;Belém|PA|-1.46|-48.5;Florianópolis|SC|-27.6|-48.55;Goiânia|GO|-16.69|-49.26;Niterói|RJ|-22.88|-43.1",
    streets: "Rua das Flores,Avenida Paulista,Rua São João,Travessa do Comércio,Rua Sete de Setembro",
    postal: "99999-999",
    address: (street, no, postal, city) => `${street}, ${no} - ${city.name}/${city.region}, ${postal}`,
    docs: {
      "Identity Card": "99.999.999-9",
      Passport: "AA999999",
      "Driver's License": "89999999999",
      "Residence Permit": "A999999-9",
    },
    phonePrefix: "+55",
    phonePattern: "119########",
    carriers: "Vivo,Claro,TIM",
    ipPrefixes: "177.62,189.6,201.17",
    isps: "Telefonica Brasil S.A,Claro S.A.,TIM S/A",
    poaIssuers: "Companhia Elétrica Guanabara,Águas do Pantanal,Banco Serra Azul",
    coA: "Construções#construction,Comércio de Alimentos#food,Transportes#transport,Tecnologia#software",
    coB: "Ipê,Serra Azul,Guanabara,Pantanal",
    forms: "Ltda.,S.A.",
    company: (a, b, form) => `${a} ${b} ${form}`,
    registry: "Junta Comercial do Estado",
    regPattern: "99.999.999/0001-99",
    shareCapital: [10000, 2000000],
  },
];

function parseLocale(d: LocaleDef): Locale {
  const last = names(d.last);
  return {
    tag: d.tag,
    a2: d.a2,
    a3: d.a3,
    country: d.country,
    timeZone: d.timeZone,
    tzOffset: d.tzOffset,
    currency: d.currency,
    male: names(d.male),
    female: names(d.female),
    last,
    lastFemale: d.lastFemale ? names(d.lastFemale) : last,
    doubleSurname: d.doubleSurname ?? false,
    familyFirst: d.familyFirst ?? false,
    cities: cities(d.cities),
    streets: list(d.streets),
    postal: d.postal,
    address: d.address,
    docTypes: Object.keys(d.docs) as DocType[],
    docs: d.docs,
    phonePrefix: d.phonePrefix,
    phonePattern: d.phonePattern,
    carriers: list(d.carriers),
    ipPrefixes: list(d.ipPrefixes),
    isps: list(d.isps),
    poaIssuers: list(d.poaIssuers),
    coA: list(d.coA).map((e) => {
      const [word, sector] = e.split("#") as [string, string];
      return { word, sector };
    }),
    coB: list(d.coB),
    forms: list(d.forms),
    company: d.company,
    registry: d.registry,
    regPattern: d.regPattern,
    shareCapital: d.shareCapital,
  };
}

export const LOCALES: readonly Locale[] = DEFS.map(parseLocale);

/** NACE Rev. 2 codes for the sectors company words refer to. */
export const SECTORS: Record<string, { code: string; description: string }> = {
  software: { code: "62.01", description: "Computer programming activities" },
  transport: { code: "49.41", description: "Freight transport by road" },
  food: { code: "10.89", description: "Manufacture of other food products" },
  construction: { code: "41.20", description: "Construction of residential and non-residential buildings" },
  trade: { code: "46.90", description: "Non-specialised wholesale trade" },
  consulting: { code: "70.22", description: "Business and other management consultancy activities" },
  manufacturing: { code: "28.29", description: "Manufacture of other general-purpose machinery" },
  tourism: { code: "79.11", description: "Travel agency activities" },
  shipping: { code: "50.20", description: "Sea and coastal freight water transport" },
  textile: { code: "13.20", description: "Weaving of textiles" },
  wine: { code: "11.02", description: "Manufacture of wine from grape" },
};

export type Device = { brand: string; model: string; os: string; browser: string; platform: string };

export const DEVICES: readonly Device[] = [
  "Apple|iPhone 15|iOS|Mobile Safari|mobile",
  "Apple|iPhone 13|iOS|Mobile Safari|mobile",
  "Samsung|Galaxy S23|Android|Chrome Mobile|mobile",
  "Google|Pixel 8|Android|Chrome Mobile|mobile",
  "Xiaomi|Redmi Note 13|Android|Chrome Mobile|mobile",
  "Apple|Mac|Mac OS X|Chrome|desktop",
  "Lenovo|ThinkPad|Windows|Firefox|desktop",
  "Dell|Latitude|Windows|Edge|desktop",
].map((e) => {
  const [brand, model, os, browser, platform] = e.split("|") as [string, string, string, string, string];
  return { brand, model, os, browser, platform };
});

/** Exit nodes of commercial VPNs / hosting providers (documentation-style addresses). */
export const VPN_EXITS = [
  {
    prefix: "185.220.101",
    country: "Netherlands",
    a2: "NL",
    city: "Amsterdam",
    isp: "M247 Europe SRL",
    tz: "Europe/Amsterdam",
  },
  {
    prefix: "45.86.200",
    country: "Romania",
    a2: "RO",
    city: "Bucharest",
    isp: "Datacamp Limited",
    tz: "Europe/Bucharest",
  },
  {
    prefix: "193.176.84",
    country: "Sweden",
    a2: "SE",
    city: "Stockholm",
    isp: "Hosting Provider AB",
    tz: "Europe/Stockholm",
  },
] as const;

export const AML_SOURCES: Record<string, string[]> = {
  PEP: ["National PEP registers", "Every Politician"],
  Sanctions: ["EU Financial Sanctions Files", "UN Security Council Consolidated List", "OFAC SDN List"],
  "Adverse Media": ["Adverse media screening"],
};
