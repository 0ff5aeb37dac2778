import "server-only";

import { person } from "@/lib/server/sandbox/generator/identity";
import type { KycCheck, KycContext } from "@/lib/server/sandbox/generator/kyc-context";
import { LOCALES, type Locale } from "@/lib/server/sandbox/generator/locales";
import { amlHit } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus } from "@/lib/server/sandbox/generator/plan";
import { chance, int, pick } from "@/lib/server/sandbox/generator/random";
import { VPN_EXITS } from "@/lib/server/sandbox/generator/reference-data";
import { warning, type Warning } from "@/lib/server/sandbox/generator/warnings";

// KYC screening: AML and IP analysis.

/**
 * AML screening of the person: a confirmed or possible match when the mode says so, else sometimes
 * namesakes below the threshold.
 */
export function amlScreening(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, p, createdMs, mode, dob, docNumber, nationality } = c;
  const warnings: Warning[] = [];
  const hits: unknown[] = [];
  const birthYear = dob.slice(0, 4);
  if (isMode && mode === "sanctions") {
    warnings.push(warning("CONFIRMED_SANCTIONS_MATCH"));
    const spec = {
      datasets: chance(r, 0.5) ? ["Sanctions"] : ["Sanctions", "PEP"],
      scoreLo: 95,
      scoreHi: 100,
      review: "Confirmed Match",
    };
    hits.push(amlHit(r, p.fullName, dob, p.locale.a2, "person", spec, createdMs));
  } else if (isMode && (mode === "pep" || mode === "adverse_media")) {
    warnings.push(warning("POSSIBLE_MATCH_FOUND"));
    const datasets =
      mode === "pep" ? (chance(r, 0.6) ? ["PEP"] : ["PEP", "Adverse Media"]) : ["Adverse Media"];
    hits.push(
      amlHit(
        r,
        p.fullName,
        birthYear,
        p.locale.a2,
        "person",
        { datasets, scoreLo: 78, scoreHi: 94, review: "Unreviewed" },
        createdMs,
      ),
    );
  } else if (chance(r, 0.35)) {
    // False positives: a namesake with a different birth year, below the match threshold.
    const n = int(r, 1, 2);
    for (let i = 0; i < n; i++) {
      const namesake = person(r, p.locale);
      const name = p.locale.familyFirst
        ? `${p.last.n} ${namesake.first.n}`
        : `${namesake.first.n} ${p.last.n}`;
      const datasets = [pick(r, ["PEP", "Sanctions", "Adverse Media"])];
      const year = String(Number(birthYear) + int(r, 6, 30) * (chance(r, 0.5) ? 1 : -1));
      hits.push(
        amlHit(
          r,
          name,
          year,
          p.locale.a2,
          "person",
          { datasets, scoreLo: 35, scoreHi: 68, review: "False Positive" },
          createdMs,
        ),
      );
    }
  }
  let top = 0;
  for (const h of hits) top = Math.max(top, (h as { match_score: number }).match_score);
  return {
    node_id: "feature_aml",
    status,
    total_hits: hits.length,
    score: top,
    screened_data: {
      full_name: p.fullName,
      date_of_birth: dob,
      nationality,
      document_number: docNumber,
    },
    hits,
    warnings,
  };
}

/** IP analysis of the device that opened the link: home, abroad or a VPN exit. */
export function ipAnalysis(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, issuing, mode, home, device } = c;
  const warnings: Warning[] = [];
  const vpn = isMode && mode === "vpn";
  const abroad = isMode && mode === "ip_country_mismatch";
  let ipAddress: string;
  let country: string;
  let a2: string;
  let city: string;
  let isp: string;
  let tz: string;
  let lat: number;
  let lon: number;
  if (vpn) {
    const exit = pick(r, VPN_EXITS);
    ipAddress = `${exit.prefix}.${int(r, 1, 254)}`;
    ({ country, a2, city, isp, tz } = exit);
    lat = 0;
    lon = 0;
    warnings.push(warning("IP_VPN_OR_PROXY_DETECTED"));
  } else {
    let where = issuing;
    if (abroad) {
      where = LOCALES[(LOCALES.indexOf(issuing) + int(r, 1, LOCALES.length - 1)) % LOCALES.length] as Locale;
      warnings.push(warning("IP_COUNTRY_MISMATCH"));
    }
    const place = abroad || chance(r, 0.2) ? pick(r, where.cities) : home.city;
    ipAddress = `${pick(r, where.ipPrefixes)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
    country = where.country;
    a2 = where.a2;
    city = place.name;
    isp = pick(r, where.isps);
    tz = where.timeZone;
    lat = place.lat;
    lon = place.lon;
  }
  return {
    node_id: "feature_ip_analysis",
    status,
    ip_address: ipAddress,
    ip_country: country,
    ip_country_code: a2,
    ip_city: city,
    isp,
    organization: isp,
    latitude: vpn ? null : lat,
    longitude: vpn ? null : lon,
    time_zone: tz,
    is_vpn_or_tor: vpn,
    is_proxy: vpn && chance(r, 0.5),
    is_data_center: vpn,
    device_brand: device.brand,
    device_model: device.model,
    os_family: device.os,
    browser_family: device.browser,
    platform: device.platform,
    warnings,
  };
}
