import Foundation

/// The report's one style sheet, inline (the document loads nothing), and the Content-Security-Policy that
/// allows exactly it by hash: no script, no other style, no request of any kind; images only as data: URLs.
enum IMELogHTMLStyle {
    /// `<meta http-equiv="Content-Security-Policy" content="…">`'s content.
    static let contentSecurityPolicy: String = {
        let hash = SHA256()
        hash.update(Array(css.utf8))
        let digest = Data(hash.finalize()).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(digest)'; img-src data:; base-uri 'none'; form-action 'none'"
    }()

    /// The style sheet (fixed text: never built from log text).
    static let css = """
    :root{--fg:#1f2933;--muted:#66727f;--line:#e3e7ec;--bg:#f5f7fa;--card:#fff;--accent:#2457a6;--fail:#c62828;--fail-bg:#fdecec;--ok:#1e7d32;--ok-bg:#e8f5e9;--wait:#8a5a00;--wait-bg:#fff4dc;--neutral-bg:#eef1f4}
    *{box-sizing:border-box}
    html{background:var(--bg)}
    body{margin:0;color:var(--fg);font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
    code,.mono,.ev,.phases td.t,.phases td.src{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
    .wrap{max-width:1320px;margin:0 auto;padding:0 24px 48px}
    header.top{background:linear-gradient(135deg,#17325c,#2457a6);color:#fff;padding:22px 0 18px;margin-bottom:18px}
    header.top .kicker{font-size:12px;letter-spacing:.08em;text-transform:uppercase;opacity:.75}
    header.top h1{margin:2px 0 4px;font-size:26px;font-weight:600}
    header.top .subtitle{margin:0 0 12px;opacity:.85;overflow-wrap:anywhere}
    header.top .meta{margin:10px 0 0;opacity:.9;font-size:13px}
    .stats{display:flex;flex-wrap:wrap;gap:10px;margin-top:8px}
    .stat{background:rgba(255,255,255,.12);border:1px solid rgba(255,255,255,.2);border-radius:8px;padding:6px 14px;min-width:96px}
    .stat b{display:block;font-size:20px;font-weight:600}
    .stat span{font-size:12px;opacity:.85}
    .stat.bad{background:rgba(255,120,120,.28);border-color:rgba(255,170,170,.6)}
    nav.toc{display:flex;gap:18px;flex-wrap:wrap;margin:0 0 16px;font-size:13px}
    nav.toc a{color:var(--accent);text-decoration:none;border-bottom:1px solid transparent}
    nav.toc a:hover{border-bottom-color:var(--accent)}
    section.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
    section.card>h2{margin:0 0 12px;font-size:17px;font-weight:600}
    h2 .count{color:var(--muted);font-weight:400;font-size:14px;margin-left:6px}
    .muted{color:var(--muted)}
    a{color:var(--accent)}
    table{border-collapse:collapse;width:100%}
    th{text-align:left;font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
    td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
    table.summary td.app{font-weight:600;overflow-wrap:anywhere;max-width:320px}
    table.summary td.app a{text-decoration:none;color:var(--fg)}
    table.summary td.app a:hover{color:var(--accent)}
    table.summary td.app .id{display:block;font-weight:400;color:var(--muted);font-size:11.5px;font-family:ui-monospace,Menlo,Consolas,monospace}
    table.summary tr.fail td{background:var(--fail-bg)}
    table.summary tr.fail td:first-child{box-shadow:inset 4px 0 0 var(--fail)}
    table.summary td.when,table.summary td.dur{white-space:nowrap}
    table.summary td.result{max-width:420px}
    .pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap;margin-right:6px}
    .pill.fail{background:var(--fail);color:#fff}
    .pill.ok{background:var(--ok-bg);color:var(--ok)}
    .pill.wait{background:var(--wait-bg);color:var(--wait)}
    .pill.neutral{background:var(--neutral-bg);color:var(--muted)}
    .badge{display:inline-block;border:1px solid #f1b5b5;background:#fff5f5;color:var(--fail);border-radius:4px;padding:0 6px;font-size:11.5px;margin:1px 4px 1px 0;white-space:nowrap}
    .legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:0 0 10px}
    .legend i{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-2px;margin-right:5px}
    .scroll{overflow-x:auto}
    svg{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif;display:block}
    svg .band{fill:#fff}
    svg .band.odd{fill:#f7f9fb}
    svg .grid{stroke:#dde3ea;stroke-width:1}
    svg .tick{fill:var(--muted);font-size:11px;text-anchor:middle}
    svg .name{fill:var(--fg);font-size:12.5px}
    svg a:hover .name{fill:var(--accent);text-decoration:underline}
    svg .extent{fill:#eef1f5;stroke:#a9b4c0;stroke-width:.6}
    svg .extent.ok{fill:#cfe8d1;stroke:#7cb883}
    svg .extent.wait{fill:#fbe3b0;stroke:#d9a441}
    svg .extent.fail{fill:#f6c9c9;stroke:var(--fail);stroke-width:1.2}
    svg .failmark{fill:var(--fail)}
    svg .finding{fill:#d32f2f;stroke:#fff;stroke-width:1.2}
    .c-processing{fill:#9aa5b1;background:#9aa5b1}
    .c-detection{fill:#3f7fe0;background:#3f7fe0}
    .c-grs{fill:#8e6bd8;background:#8e6bd8}
    .c-download{fill:#1aa39a;background:#1aa39a}
    .c-install{fill:#ef9a1a;background:#ef9a1a}
    .c-reporting{fill:#4caf50;background:#4caf50}
    .c-problem{fill:#e53935;background:#e53935}
    .legend i.finding{background:#d32f2f;transform:rotate(45deg) scale(.8)}
    details.app{border:1px solid var(--line);border-radius:8px;margin:0 0 10px;background:#fff}
    details.app.fail{border-left:4px solid var(--fail)}
    details.app>summary{cursor:pointer;padding:10px 14px;font-weight:600;list-style-position:outside;margin-left:14px}
    details.app>summary .id{font-weight:400;color:var(--muted);font-size:12px;margin-left:8px;font-family:ui-monospace,Menlo,Consolas,monospace}
    details.app>summary .pill{margin-left:10px}
    details.app>.body{padding:4px 16px 14px}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:4px 0 12px;font-size:13px}
    dl.facts dt{color:var(--muted)}
    dl.facts dd{margin:0;overflow-wrap:anywhere}
    details.checkin{border-top:1px solid var(--line);padding:6px 0}
    details.checkin>summary{cursor:pointer;font-size:13px}
    details.checkin>summary .n{font-weight:600}
    details.checkin .inner{padding:8px 0 4px 18px}
    .strip{max-width:100%;height:auto;margin:4px 0 6px}
    .download{font-size:13px;margin:4px 0 8px}
    table.phases{font-size:12.5px}
    table.phases td{padding:3px 8px}
    table.phases td.t{white-space:nowrap;color:#364452}
    table.phases td.d{white-space:nowrap;color:var(--muted);text-align:right}
    table.phases td.k{white-space:nowrap}
    table.phases td.k i{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:6px;vertical-align:0}
    table.phases td.x{overflow-wrap:anywhere}
    table.phases td.src{color:var(--muted);white-space:nowrap;font-size:11.5px}
    article.finding{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:8px;padding:10px 14px;margin:0 0 12px;background:#fff}
    article.finding h3{margin:0 0 4px;font-size:14px;font-weight:600;overflow-wrap:anywhere}
    article.finding .kind{display:inline-block;font-size:11.5px;font-weight:600;color:var(--fail);background:var(--fail-bg);border-radius:4px;padding:0 6px;margin-right:8px;vertical-align:1px}
    article.finding .next{margin:4px 0 8px;overflow-wrap:anywhere}
    article.finding .next b{color:var(--accent)}
    .evidence{background:#f7f9fb;border:1px solid var(--line);border-radius:6px;padding:6px 10px;overflow-x:auto}
    .ev{white-space:pre-wrap;overflow-wrap:anywhere;margin:1px 0}
    .ev .loc{color:var(--accent)}
    .ev .time{color:var(--muted)}
    .coverage p{margin:4px 0}
    table.files td{font-size:12.5px}
    footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
    """
}
