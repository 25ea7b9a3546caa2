import Foundation

extension IMELogReport {
    /// The report with every text that came from the logs, the file names and the diagnostics collection
    /// passed through `redactor`: what `--redact` prints, in every format. App ids stay (the redactor keeps
    /// them); a device name from a `DiagLogs-<device>-<time>.zip` name is learned first, so it is replaced
    /// wherever it occurs.
    public func redacted(by redactor: IMERedactor) -> IMELogReport {
        for collection in diagnostics {
            if let device = collection.deviceName, !device.isEmpty {
                var name = device
                name.withUTF8 { redactor.learnName($0, kind: .device) }
                _ = redactor.placeholder(for: device, kind: .device)
            }
        }
        let r: (String) -> String = { redactor.redact($0) }
        func evidence(_ e: IMEEvidence) -> IMEEvidence {
            IMEEvidence(source: r(e.source), line: e.line, time: e.time, thread: e.thread, text: r(e.text))
        }
        func phase(_ p: IMEPhase) -> IMEPhase { IMEPhase(kind: p.kind, detail: r(p.detail), evidence: evidence(p.evidence)) }
        func record(_ c: CMTraceRecord) -> CMTraceRecord {
            var copy = c
            copy.message = r(c.message); copy.source = r(c.source); copy.file = r(c.file); copy.context = r(c.context)
            return copy
        }
        var out = self
        out.apps = apps.map { app in
            var a = app
            a.name = app.name.map(r); a.installCommand = app.installCommand.map(r); a.uninstallCommand = app.uninstallCommand.map(r)
            a.grsSkips = app.grsSkips.map(evidence)
            a.contentInfo = app.contentInfo.map(record)
            a.checkIns = app.checkIns.map { checkIn in
                var c = checkIn
                c.phases = checkIn.phases.map(phase)
                c.installCommand = checkIn.installCommand.map(r)
                c.aborted = checkIn.aborted.map(r)
                c.notApplicable = checkIn.notApplicable.map(r)
                c.applicability = checkIn.applicability.map(r)
                c.reason = checkIn.reason.map(r)
                c.download?.url = checkIn.download?.url.map(r)
                return c
            }
            return a
        }
        out.findings = findings.map { f in
            IMEFinding(kind: f.kind, appID: f.appID, summary: r(f.summary), suggestion: f.suggestion.map(r), evidence: f.evidence.map(evidence))
        }
        out.unattributed = unattributed.map(phase)
        out.sessions = sessions.map { s in var c = s; c.evidence = evidence(s.evidence); return c }
        out.coverage.examples = coverage.examples.map(evidence)
        out.files = files.map { f in var c = f; c.source = r(f.source); return c }
        out.utcOffset = utcOffset.map { o in IMEUTCOffset(seconds: o.seconds, evidence: evidence(o.evidence)) }
        out.diagnostics = diagnostics.map { d in
            var c = d
            c.path = r(d.path)
            c.deviceName = d.deviceName.map { redactor.placeholder(for: $0, kind: .device) }
            c.logFolders = d.logFolders.map(r)
            c.problems = d.problems.map(r)
            c.items = d.items.map { item in var i = item; i.target = r(item.target); i.files = item.files.map(r); return i }
            c.evidence = d.evidence.map { e in
                var copy = e
                copy.items = e.items.map { item in var i = item; i.target = r(item.target); i.files = item.files.map(r); return i }
                return copy
            }
            c.registry.apps = d.registry.apps.map { s in var a = s; a.userId = r(s.userId); return a }
            c.registry.grs = d.registry.grs.map { g in var a = g; a.userId = r(g.userId); return a }
            c.registry.installed = d.registry.installed.map { p in var a = p; a.displayName = p.displayName.map(r); a.publisher = p.publisher.map(r); return a }
            return c
        }
        return out
    }
}
