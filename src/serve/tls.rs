//! `hatarakitai tls init` (SERVER.md §1): the centre's own CA and the server's certificate,
//! made with rcgen. The CA is name-constrained to the names and addresses given, so even a
//! stolen CA key cannot vouch for any other site on the staff PCs that trust it; its key is
//! written beside it (0600) for the administrator to keep offline. `serve` warns 30 days
//! before its certificate ends (`days_left`, read from the certificate itself).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
};

/// What `tls init` writes, under `out`.
pub const FILES: [&str; 4] = ["ca.crt", "ca.key", "server.crt", "server.key"];

/// A real date's parts (its month and day are always in range for rcgen's `date_time_ymd`).
fn ymd(d: chrono::NaiveDate) -> (i32, u8, u8) {
    use chrono::Datelike;
    (d.year(), d.month() as u8, d.day() as u8)
}

macro_rules! at {
    ($d:expr) => {{
        let (y, m, d) = ymd($d);
        rcgen::date_time_ymd(y, m, d)
    }};
}

/// Makes the CA and the server certificate for `names` and `ips`, valid from `today` (the
/// server's for `days`, the CA's for ten years). Refuses to overwrite any file.
pub fn init(
    centre: &str,
    names: &[String],
    ips: &[IpAddr],
    days: u32,
    out: &Path,
    today: chrono::NaiveDate,
) -> Result<Vec<PathBuf>, String> {
    if names.is_empty() {
        return Err("name the server as staff will type it: --name desk.centre.lan".into());
    }
    for n in names {
        let ok = !n.is_empty()
            && n.len() <= 253
            && n.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !ok {
            return Err(format!(
                "--name {n}: not a host name (letters, digits and '-', parts joined by '.', e.g. desk.centre.lan)"
            ));
        }
    }
    if !(1..=825).contains(&days) {
        return Err("--days: use 1 to 825 (browsers refuse longer server certificates)".into());
    }
    let paths: Vec<PathBuf> = FILES.iter().map(|f| out.join(f)).collect();
    if let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(format!(
            "{} already exists: nothing was written (move the old files away first, or choose another --out)",
            p.display()
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let err = |e: rcgen::Error| format!("making the certificates failed ({e})");

    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.distinguished_name
        .push(DnType::CommonName, format!("{centre} デスク CA"));
    ca.distinguished_name
        .push(DnType::OrganizationName, centre.to_string());
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut permitted: Vec<GeneralSubtree> =
        names.iter().cloned().map(GeneralSubtree::DnsName).collect();
    permitted.extend(ips.iter().map(|ip| {
        let full = if ip.is_ipv4() { 32 } else { 128 };
        GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(*ip, full))
    }));
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    ca.not_before = at!(today - chrono::Duration::days(1));
    ca.not_after = at!(today + chrono::Duration::days(3652));
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;

    let key = KeyPair::generate().map_err(err)?;
    let mut srv = CertificateParams::new(names.to_vec()).map_err(err)?;
    srv.subject_alt_names
        .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
    srv.distinguished_name
        .push(DnType::CommonName, names[0].clone());
    srv.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    srv.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    srv.not_before = at!(today - chrono::Duration::days(1));
    srv.not_after = at!(today + chrono::Duration::days(i64::from(days)));
    let issuer = Issuer::from_params(&ca, &ca_key);
    let srv_cert = srv.signed_by(&key, &issuer).map_err(err)?;

    let chain = format!("{}{}", srv_cert.pem(), ca_cert.pem());
    write(&paths[0], ca_cert.pem().as_bytes(), 0o644)?;
    write(&paths[1], ca_key.serialize_pem().as_bytes(), 0o600)?;
    write(&paths[2], chain.as_bytes(), 0o644)?;
    write(&paths[3], key.serialize_pem().as_bytes(), 0o600)?;
    Ok(paths)
}

fn write(p: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(p)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// The certificate's end (Unix seconds), read from its DER: TBSCertificate's validity.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (cert, _) = tlv(der, 0x30)?;
    let (tbs, _) = tlv(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = tlv(rest, 0xA0)?.1;
    }
    rest = tlv(rest, 0x02)?.1; // serial
    rest = tlv(rest, 0x30)?.1; // signature algorithm
    rest = tlv(rest, 0x30)?.1; // issuer
    let (validity, _) = tlv(rest, 0x30)?;
    let (_, after) = any_time(validity)?;
    let (t, _) = any_time(after)?;
    Some(t)
}

/// One DER element of `tag`: (its content, what follows).
fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((b.get(head..end)?, b.get(end..)?))
}

/// A UTCTime or GeneralizedTime: (seconds, what follows).
fn any_time(b: &[u8]) -> Option<(i64, &[u8])> {
    let (fmt, tag) = match b.first()? {
        0x17 => ("%y%m%d%H%M%SZ", 0x17),
        0x18 => ("%Y%m%d%H%M%SZ", 0x18),
        _ => return None,
    };
    let (v, rest) = tlv(b, tag)?;
    let s = std::str::from_utf8(v).ok()?;
    let t = chrono::NaiveDateTime::parse_from_str(s, fmt).ok()?;
    Some((t.and_utc().timestamp(), rest))
}

/// Days until the certificate ends (negative once it has).
pub fn days_left(der: &[u8], now: i64) -> Option<i64> {
    not_after(der).map(|t| (t - now).div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_a_constrained_ca_and_a_server_certificate_it_signs() {
        let dir = tempfile::tempdir().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let names = vec!["desk.centre.lan".to_string()];
        let ips = vec!["192.168.10.5".parse().unwrap()];
        let files = init("センター", &names, &ips, 40, dir.path(), today).unwrap();
        assert_eq!(files.len(), 4);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&files[1]), 0o600);
        assert_eq!(mode(&files[3]), 0o600);
        // Read back: the server certificate ends 40 days after today.
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(&files[2])
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(certs.len(), 2, "the server's and the CA's");
        let start = today.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        assert_eq!(days_left(&certs[0], start), Some(40));
        // Never overwritten.
        let again = init("センター", &names, &ips, 40, dir.path(), today).unwrap_err();
        assert!(again.contains("already exists"));
        assert!(init("x", &["bad name".into()], &[], 40, dir.path(), today).is_err());
    }

    #[test]
    fn a_broken_certificate_has_no_end() {
        assert_eq!(not_after(&[0x30, 0x03, 0x02, 0x01, 0x01]), None);
        assert_eq!(not_after(&[]), None);
        assert_eq!(not_after(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
