import Foundation

/// The report's inline SVG timelines, computed here from `LogTimestamp.localSeconds`: every app's check-ins
/// on one shared time axis, and one check-in's phases stretched over its own duration. Each phase lasts until
/// the next timed phase and is coloured by its `IMEPhaseCategory`; findings are red marks at the time of
/// their evidence. Log text appears only as escaped SVG text (`<text>`, `<title>`), never in an attribute.
enum IMELogHTMLTimeline {
    /// Width of the overview in SVG units, and of its label column.
    static let width = 1200.0, labelWidth = 230.0
    static let rowHeight = 26.0, axisHeight = 30.0

    /// A coloured stretch of a bar, in x positions.
    struct Segment: Equatable { var from: Double, to: Double, category: IMEPhaseCategory }

    /// The stretches of `phases` on `scale`: each from its phase to the next timed phase, neighbours of one
    /// category joined; then a stretch under `minimumWidth` is folded into the one before it (or after it,
    /// first), so a check-in of thousands of progress lines stays a handful of rectangles.
    static func segments(_ phases: [IMEPhase], scale: IMETimeScale, minimumWidth: Double = 1) -> [Segment] {
        let timed = phases.compactMap { p in p.time.map { (scale.x($0.localSeconds), IMEPhaseCategory(p.kind)) } }
        var runs: [Segment] = []
        for (i, (x, category)) in timed.enumerated() {
            let next = i + 1 < timed.count ? timed[i + 1].0 : x
            if let last = runs.last, last.category == category { runs[runs.count - 1].to = max(last.to, next) } else { runs.append(Segment(from: x, to: next, category: category)) }
        }
        var out: [Segment] = []
        var pendingFrom: Double?  // thin runs at the start, waiting for a wide one
        for run in runs {
            if run.to - run.from < minimumWidth {
                if out.isEmpty { pendingFrom = pendingFrom ?? run.from } else { out[out.count - 1].to = max(out[out.count - 1].to, run.to) }
                continue
            }
            var run = run
            if let from = pendingFrom { run.from = from; pendingFrom = nil }
            if let last = out.last, last.category == run.category { out[out.count - 1].to = run.to } else { out.append(run) }
        }
        if out.isEmpty, let from = pendingFrom, let last = runs.last { out.append(Segment(from: from, to: last.to, category: runs[0].category)) }
        return out
    }

    /// The seconds spanned by the timed check-ins of the report's apps.
    static func extent(_ report: IMELogReport) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for app in report.apps {
            for checkIn in app.checkIns {
                if let t = checkIn.start?.localSeconds { lo = min(lo, t) }
                if let t = checkIn.end?.localSeconds { hi = max(hi, t) }
            }
        }
        guard lo <= hi else { return nil }
        return (lo, hi)
    }

    /// All apps on one axis: a row each, check-ins as bars, findings as marks.
    static func overview(_ report: IMELogReport, findingsByApp: [String: [IMEFinding]], into out: inout HTMLOutput) throws {
        guard let (lo, hi) = extent(report) else {
            try out.raw("<p class=\"muted\">No check-in in these logs carries a time: nothing to place on a time axis.</p>\n")
            return
        }
        let scale = IMETimeScale(start: lo, end: hi, left: labelWidth, right: width - 16, minimumSpan: 60)
        let height = axisHeight + rowHeight * Double(report.apps.count) + 8
        try out.raw("<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" xmlns=\"http://www.w3.org/2000/svg\">")
        try out.raw("<title>Check-ins of every app on one time axis</title>")
        try axis(scale, top: axisHeight - 6, bottom: height - 4, into: &out)
        for (row, app) in report.apps.enumerated() {
            let top = axisHeight + rowHeight * Double(row)
            try out.raw("<g class=\"row\"><rect class=\"band\(row % 2 == 0 ? "" : " odd")\" x=\"0\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(rowHeight))\"/>")
            try out.raw("<a href=\"#app-\(row + 1)\"><text class=\"name\" x=\"8\" y=\"\(n(top + rowHeight / 2 + 4))\"><title>")
            try out.text(app.label)
            try out.raw("</title>")
            try out.text(IMELogHTML.cut(app.name ?? app.id, 34))
            try out.raw("</text></a>")
            for (index, checkIn) in app.checkIns.enumerated() {
                try bar(checkIn, number: index + 1, scale: scale, top: top + 6, height: rowHeight - 12, minimumWidth: 1, into: &out)
            }
            for finding in findingsByApp[app.id] ?? [] {
                guard let t = finding.evidence.compactMap({ $0.time?.localSeconds }).last else { continue }
                try marker(finding, x: scale.x(t), y: top + 5, into: &out)
            }
            try out.raw("</g>\n")
        }
        try out.raw("</svg>\n")
    }

    /// One check-in's phases over its own duration (nothing when it lasted no time), with the app's findings whose evidence falls inside it.
    static func strip(_ checkIn: IMECheckIn, findings: [IMEFinding], into out: inout HTMLOutput) throws {
        // A check-in of one moment has nothing to stretch: its phase table says it all.
        guard let start = checkIn.start?.localSeconds, let end = checkIn.end?.localSeconds, end > start else { return }
        let stripWidth = 1000.0, height = 58.0
        let scale = IMETimeScale(start: start, end: end, left: 8, right: stripWidth - 8, minimumSpan: 2)
        try out.raw("<svg class=\"strip\" role=\"img\" viewBox=\"0 0 \(n(stripWidth)) \(n(height))\" width=\"\(n(stripWidth))\" height=\"\(n(height))\" xmlns=\"http://www.w3.org/2000/svg\">")
        try out.raw("<title>Phases of this check-in over its duration</title>")
        try axis(scale, top: 40, bottom: 40, labelsBelow: true, into: &out)
        try bar(checkIn, number: nil, scale: scale, top: 12, height: 22, minimumWidth: 0.5, into: &out)
        for finding in findings {
            for t in finding.evidence.compactMap({ $0.time?.localSeconds }) where t >= start && t <= end {
                try marker(finding, x: scale.x(t), y: 10, into: &out)
            }
        }
        try out.raw("</svg>\n")
    }

    /// A check-in's bar: a thin outline over its whole extent (so the shortest one stays visible), its
    /// phase stretches, and a title with when, how long and what came of it.
    private static func bar(_ checkIn: IMECheckIn, number: Int?, scale: IMETimeScale, top: Double, height: Double, minimumWidth: Double,
                            into out: inout HTMLOutput) throws {
        guard let start = checkIn.start?.localSeconds, let end = checkIn.end?.localSeconds else { return }
        let outcome = checkIn.outcome
        let x0 = scale.x(start), x1 = max(scale.x(end), x0 + 3)
        try out.raw("<g class=\"ci \(IMELogHTML.outcomeClass(outcome))\"><title>")
        try out.text((number.map { "check-in \($0): " } ?? "") + (checkIn.start?.description ?? "") + (checkIn.durationSeconds.map { ", " + IMELogText.duration($0) } ?? "") + " — " + IMELogText.resultText(outcome))
        try out.raw("</title><rect class=\"extent \(IMELogHTML.outcomeClass(outcome))\" x=\"\(n(x0))\" y=\"\(n(top))\" width=\"\(n(x1 - x0))\" height=\"\(n(height))\" rx=\"2\"/>")
        // A bar of a few units shows its result's colour (the extent's fill) rather than a sliver of phases.
        for s in x1 - x0 < 6 ? [] : segments(checkIn.phases, scale: scale, minimumWidth: minimumWidth) where s.to - s.from >= 0.25 {
            try out.raw("<rect class=\"\(s.category.cssClass)\" x=\"\(n(s.from))\" y=\"\(n(top))\" width=\"\(n(s.to - s.from))\" height=\"\(n(height))\"/>")
        }
        if outcome.isFailure { try out.raw("<rect class=\"failmark\" x=\"\(n(x1 - 1))\" y=\"\(n(top - 2))\" width=\"3\" height=\"\(n(height + 4))\"/>") }
        try out.raw("</g>")
    }

    /// A finding's mark: a small red diamond whose title is the finding.
    private static func marker(_ finding: IMEFinding, x: Double, y: Double, into out: inout HTMLOutput) throws {
        try out.raw("<path class=\"finding\" d=\"M\(n(x)) \(n(y - 5))l5 5l-5 5l-5 -5z\"><title>")
        try out.text("\(finding.kind.rawValue): \(finding.summary)")
        try out.raw("</title></path>")
    }

    /// Grid lines at the ticks, labelled above (`top`) or below the lines.
    private static func axis(_ scale: IMETimeScale, top: Double, bottom: Double, labelsBelow: Bool = false, into out: inout HTMLOutput) throws {
        let step = scale.step(maximum: labelsBelow ? 10 : 8)
        for t in scale.ticks(maximum: labelsBelow ? 10 : 8) {
            let x = scale.x(t)
            if labelsBelow {
                try out.raw("<line class=\"grid\" x1=\"\(n(x))\" y1=\"6\" x2=\"\(n(x))\" y2=\"\(n(bottom))\"/>")
                try out.raw("<text class=\"tick\" x=\"\(n(x))\" y=\"\(n(bottom + 13))\">\(scale.label(t, step: step))</text>")
            } else {
                try out.raw("<line class=\"grid\" x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(bottom))\"/>")
                try out.raw("<text class=\"tick\" x=\"\(n(x))\" y=\"\(n(top - 6))\">\(scale.label(t, step: step))</text>")
            }
        }
    }

    /// A coordinate with at most one decimal.
    static func n(_ value: Double) -> String {
        let r = (value * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
