//! The style sheet every view carries. Each notebook output stands alone (a saved notebook,
//! Colab, GitHub's renderer), so the rules travel with the HTML, scoped to `.rtrack-view`.
//! Colours are translucent or inherited so the views read on light and dark themes alike.

pub const STYLE: &str = "<style>\
.rtrack-view{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.4;color:inherit;max-width:100%;overflow-x:auto}\
.rtrack-view h3{font-size:15px;margin:12px 0 4px}\
.rtrack-view h4{font-size:13px;margin:10px 0 4px}\
.rtrack-view .muted{opacity:.65;font-weight:normal}\
.rtrack-view .note{opacity:.7;font-size:12px;margin:4px 0}\
.rtrack-view code{font-size:12px}\
.rtrack-table{border-collapse:collapse;margin:4px 0 8px}\
.rtrack-table th,.rtrack-table td{padding:3px 8px;border-bottom:1px solid rgba(127,127,127,.25);text-align:left;vertical-align:middle;white-space:nowrap}\
.rtrack-table th{font-weight:600;border-bottom:1px solid rgba(127,127,127,.5)}\
.rtrack-table th.group{text-align:center;font-weight:500;opacity:.7;border-bottom:none}\
.rtrack-table td.num{text-align:right;font-variant-numeric:tabular-nums}\
.rtrack-table td.metric{text-align:right;font-variant-numeric:tabular-nums}\
.rtrack-table td.metric svg{vertical-align:middle;margin-left:6px}\
.rtrack-table td.best{background:rgba(34,197,94,.16);font-weight:600}\
.rtrack-table td.nested{padding-left:20px}\
.rtrack-view .star{color:#16a34a;margin-left:3px}\
.rtrack-status{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600;letter-spacing:.02em}\
.rtrack-status.FINISHED{background:rgba(34,197,94,.18)}\
.rtrack-status.RUNNING{background:rgba(59,130,246,.2)}\
.rtrack-status.SCHEDULED{background:rgba(148,163,184,.25)}\
.rtrack-status.FAILED{background:rgba(239,68,68,.22)}\
.rtrack-status.KILLED{background:rgba(249,115,22,.22)}\
.rtrack-view details{margin:4px 0}\
.rtrack-view summary{cursor:pointer;opacity:.75}\
</style>";
