@testable import FleetSimIO
import FleetSim
import Foundation
import Testing

/// The report's drawing code: scales, ticks, every data point drawn, and pages that survive degenerate runs.
@Suite struct ReportTests {
    @Test func ticksAreRoundAndInsideTheDomain() {
        let scale = LinearScale(domain: 0, 37, range: (0, 100))
        #expect(scale.ticks() == [0, 10, 20, 30])
        #expect(scale.nice().domain == 0...40)
        #expect(scale.nice().ticks() == [0, 10, 20, 30, 40])
        #expect(LinearScale.niceStep(0.23) == 0.5)
        #expect(LinearScale.niceStep(7) == 10)
        #expect(LinearScale.niceStep(1.5) == 2)
        let small = LinearScale(domain: 0, 0.0042, range: (0, 1)).nice()
        #expect(small.ticks().allSatisfy { small.domain.contains($0) } && small.ticks().count >= 3)
        // A y axis runs downwards: 0 at the bottom (200), the top of the domain at the top (20).
        let y = LinearScale(domain: 0, 50, range: (200, 20))
        #expect(y(0) == 200 && y(50) == 20 && y(25) == 110)
    }

    /// One window, no traffic, no cost: every domain still has width, and nothing divides by zero.
    @Test func degenerateDomainsStillHaveWidth() {
        for (low, high) in [(0.0, 0.0), (5.0, 5.0), (Double.nan, Double.nan), (3.0, 1.0)] {
            let scale = LinearScale(domain: low, high, range: (0, 100))
            #expect(scale.domain.upperBound > scale.domain.lowerBound)
            #expect(scale(scale.domain.lowerBound).isFinite && !scale.ticks().isEmpty)
        }
    }

    @Test func timeTicksReadAsClockTimesOrDays() {
        let day = TimeTicks.ticks(for: 0...86_400)
        #expect(day == [0, 21_600, 43_200, 64_800, 86_400])
        #expect(day.map { TimeTicks.label($0, span: 86_400) } == ["00:00", "06:00", "12:00", "18:00", "24:00"])
        #expect(TimeTicks.ticks(for: 0...3600) == [0, 900, 1800, 2700, 3600])
        #expect(TimeTicks.label(3 * 86_400, span: 7 * 86_400) == "day 4")
        #expect(TimeTicks.label(86_400 + 3600, span: 2 * 86_400) == "d2 01:00")
    }

    /// A line has one vertex per window with a value; a gap (nil) lifts the pen; a stacked area has a vertex per
    /// window too.
    @Test func everyDataPointIsDrawn() {
        let starts = (0..<50).map { Double($0) * 60 }
        var values: [Double?] = starts.map { sin($0 / 300) + 1 }
        values[10] = nil
        let chart = Chart(
            title: "t", unit: Units.number, windowStarts: starts, end: 3000,
            series: [Chart.Series(name: "a", color: Palette.blue, values: values)])
        let svg = chart.svg()
        #expect(svg.contains("data-points=\"49\""))
        let path = svg.components(separatedBy: "class=\"line\"")[1].components(separatedBy: " d=\"")[1].components(separatedBy: "\"")[0]
        #expect(path.filter { $0 == "M" }.count == 2 && path.filter { $0 == "L" }.count == 47)
        let stacked = Chart(
            title: "t", unit: Units.number, windowStarts: starts, end: 3000,
            series: [Chart.Series(name: "a", color: Palette.blue, values: values),
                     Chart.Series(name: "b", color: Palette.orange, values: starts.map { _ in 1 })], stacked: true)
        #expect(stacked.svg().contains("data-points=\"50\""))
    }

    /// Runs whose charts have one window, no traffic, or no cost render with finite coordinates and labelled axes;
    /// `fleetsim report` rebuilds exactly the page the run wrote.
    @Test(arguments: [
        ("duration: 1m\nwindow: 1m", "rate: 5/s", "pricePerHour: 1"),
        ("duration: 1h", "rate: 0/s", "pricePerHour: 1"),
        ("duration: 1h", "rate: 5/s", "pricePerHour: 0"),
    ])
    func degenerateRunsRender(_ horizon: String, _ rate: String, _ price: String) throws {
        let scratch = try ScratchFolder()
        let yaml = """
            name: edge
            \(horizon)
            traffic: {\(rate)}
            deployments:
              api:
                instance: {gpu: T4, gpus: 1, onDemand: 0.5}
                service: {time: {exponential: {mean: 200ms}}}
                pools: [{purchase: onDemand, count: 2, \(price)}]
            slo: {e2e: {p99: 1s}}
            """
        let scenario = try ScenarioLoader.decode(yaml: yaml, file: try scratch.write("edge.yaml", yaml))
        let outcome = try ScenarioRunner.run(scenario, into: scratch.path("out"))
        let page = try String(contentsOf: outcome.directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!page.contains("nan") && !page.contains("inf\"") && !page.contains("NaN"))
        #expect(page.components(separatedBy: "<svg class=\"chart\"").count - 1 >= 8)
        #expect(page.contains("class=\"tick\""))
        try Reports.write(folder: outcome.directory.path)
        #expect(try String(contentsOf: outcome.directory.appendingPathComponent("report.html"), encoding: .utf8) == page)
    }

    /// The top of the page says what a decision needs: the verdict against the objective, the run rate, the
    /// warnings and the assumptions; TTFT only where tokens are generated; the scenario folded away.
    @Test func theHeadlineStatesTheVerdictAndTheRunRate() throws {
        let scratch = try ScratchFolder()
        let scenario = try ScenarioLoader.decode(yaml: BuiltInScenarios.quickstart, file: "quickstart.yaml")
        let outcome = try ScenarioRunner.run(scenario, into: scratch.path("out"))
        let page = try String(contentsOf: outcome.directory.appendingPathComponent("report.html"), encoding: .utf8)
        let attainment = String(format: "%.2f", outcome.result.total.slo!.e2eAttainment! * 100)
        #expect(page.contains("SLO not met: e2e p99 ≤ 5.0 s held for \(attainment) % of requests (99 % needed)"))
        let monthly = outcome.result.total.cost.total / 86_400 * 730 * 3_600
        let grouped = SummaryTable.grouped(Int(monthly.rounded(.down)))
        #expect(page.contains("a month"), "no run rate")
        #expect(page.contains("$\(grouped)."), "the monthly run rate $\(grouped) is missing")
        #expect(page.contains("overloaded for 30m 00s from 20:00"))
        #expect(page.contains("Assumed:") && page.contains("<code>discount</code>"))
        #expect(!page.contains("TTFT p99</th>") && !page.contains("TTFT p50"))
        #expect(page.contains("<details><summary>Scenario as run"))
        #expect(page.firstRange(of: "SLO not met")!.lowerBound < page.firstRange(of: "<svg")!.lowerBound)
    }

    /// A size page: size.md's tables as HTML tables, its markup escaped, a bar per ranked alternative, a step per window.
    @Test func aSizePageCarriesTheTablesBarsAndNeededCurve() {
        let markdown = "# Sizing: x\n\n**a <b> fleet**: reserve `2`\n\n| # | cost |\n|---|---|\n| 1 | $5 |\n| 2 | $7 |\n"
        let csv = "rank,cost_monthly_usd,cost_monthly_ci_low,cost_monthly_ci_high\n1,5,4,6\n2,7,,\n"
        let html = SizeReport.html(markdown: markdown, alternatives: csv, needed: [1, 2, 3, 2])
        #expect(html.contains("<h1>Sizing: x</h1>"))
        #expect(html.contains("<strong>a &lt;b&gt; fleet</strong>: reserve <code>2</code>"))
        #expect(html.contains("<tr><th>#</th><th>cost</th></tr>") && html.contains("<tr><td>2</td><td>$7</td></tr>"))
        #expect(!html.contains("<td>---</td>"))
        #expect(html.components(separatedBy: "class=\"bar\"").count - 1 == 2)
        #expect(html.contains("data-points=\"4\""))
        #expect(SimpleMarkdown.inline("a ** b") == "a ** b")
    }
}
