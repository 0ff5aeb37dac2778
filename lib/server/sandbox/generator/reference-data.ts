import "server-only";

// Invented reference data for the generator beside the locales: sectors, devices, VPN exits, AML sources.

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
