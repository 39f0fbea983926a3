@testable import FleetSimIO
import FleetSim
import Foundation
import Testing

/// FleetSim replaces only what it wrote: every destination that is not a new folder, an empty one or a result
/// folder of the same command is refused, and whatever was there is still there afterwards.
@Suite(.serialized) struct OutputSafetyTests {
    /// A project folder with a note and a sub-folder, as a user has them.
    func project(in scratch: ScratchFolder) throws -> String {
        try FileManager.default.createDirectory(atPath: scratch.path("project/sub"), withIntermediateDirectories: true)
        _ = try scratch.write("project/notes.txt", "mine")
        _ = try scratch.write("project/sub/data.csv", "1,2")
        return scratch.path("project")
    }

    func expectProjectIntact(_ scratch: ScratchFolder) throws {
        #expect(try String(contentsOfFile: scratch.path("project/notes.txt"), encoding: .utf8) == "mine")
        #expect(try String(contentsOfFile: scratch.path("project/sub/data.csv"), encoding: .utf8) == "1,2")
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path("project")).sorted()
        #expect(names == ["notes.txt", "sub"])
    }

    func scenario() throws -> Scenario {
        try ScenarioLoader.decode(yaml: validScenario, file: "small.yaml", overrides: [try Override("duration=10m")])
    }

    func expectRefused(_ destination: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scenario = try scenario()
        do {
            _ = try ScenarioRunner.run(scenario, into: destination)
            Issue.record("\(destination) was accepted", sourceLocation: sourceLocation)
        } catch let error as ScenarioError {
            #expect(error.description.contains(message), "\(error)", sourceLocation: sourceLocation)
            #expect(error.file == "--out", sourceLocation: sourceLocation)
        }
    }

    /// Checked without changing the test process's folder (tests run in parallel); `scripts/smoke-output-safety.sh`
    /// runs the same cases through the command line from inside a project folder.
    @Test func theCurrentFolderAndItsParentsAreRefused() throws {
        let scratch = try ScratchFolder()
        let project = try project(in: scratch)
        for destination in ["..", ".", "../..", "", " ", project, project + "/sub", "../sub/"] {
            do {
                try ResultFolder.checkDestination(destination, kind: .run, currentDirectory: project + "/sub")
                Issue.record("'\(destination)' was accepted")
            } catch let error as ScenarioError {
                let expected = destination.trimmingCharacters(in: .whitespaces).isEmpty
                    ? "is empty" : "is the current folder or one of its parents"
                #expect(error.description.contains(expected), "\(error)")
            }
        }
        // A sibling of the current folder is neither.
        #expect(try ResultFolder.checkDestination("../results", kind: .run, currentDirectory: project + "/sub").path
            == project + "/results")
        try expectProjectIntact(scratch)
    }

    @Test func aFolderWithForeignFilesIsRefusedAndKept() throws {
        let scratch = try ScratchFolder()
        let project = try project(in: scratch)
        try expectRefused(project, "holds 'notes.txt', 'sub', which FleetSim did not write")
        try expectProjectIntact(scratch)
        // A result folder that somebody added a file to is no longer FleetSim's alone.
        _ = try ScenarioRunner.run(try scenario(), into: scratch.path("out"))
        _ = try scratch.write("out/my-analysis.ipynb", "{}")
        try expectRefused(scratch.path("out"), "holds 'my-analysis.ipynb'")
        #expect(scratch.exists("out/my-analysis.ipynb") && scratch.exists("out/summary.json"))
    }

    @Test func filesLinksAndSpecialFilesAreRefusedAndKept() throws {
        let scratch = try ScratchFolder()
        _ = try project(in: scratch)
        try expectRefused(scratch.path("project/notes.txt"), "is a file, not a folder")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link"), withDestinationPath: scratch.path("project"))
        try expectRefused(scratch.path("link"), "is a symbolic link")
        // A link to a FleetSim result is refused too: replacing it would replace the link with a folder.
        _ = try ScenarioRunner.run(try scenario(), into: scratch.path("out"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out-link"), withDestinationPath: scratch.path("out"))
        try expectRefused(scratch.path("out-link"), "is a symbolic link")
        #expect(mkfifo(scratch.path("fifo"), 0o644) == 0)
        try expectRefused(scratch.path("fifo"), "is a special file")
        try expectProjectIntact(scratch)
        #expect(ResultFolder.isSymbolicLink(URL(fileURLWithPath: scratch.path("link"))))
        #expect(ResultFolder.isSymbolicLink(URL(fileURLWithPath: scratch.path("out-link"))))
        var status = stat()
        #expect(lstat(scratch.path("fifo"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }

    /// A comparison, a sweep and a merge keep to the same rule; a run never replaces a comparison's folder.
    @Test func everyCommandKeepsToTheRule() async throws {
        let scratch = try ScratchFolder()
        let project = try project(in: scratch)
        let base = try scenario()
        let variants = [Comparison.Variant(name: "base", scenario: base), Comparison.Variant(name: "v", scenario: base)]
        await #expect(throws: ScenarioError.self) {
            _ = try await Comparison.run(variants, replications: 1, jobs: 1, into: project)
        }
        let sweepFile = try scratch.write("s.sweep.yaml", """
            name: s
            base: base.yaml
            replications: 1
            parameters:
              - {key: traffic.rate, values: [2/s, 3/s]}
            """)
        _ = try scratch.write("base.yaml", validScenario.replacingOccurrences(of: "duration: 1h", with: "duration: 10m"))
        let sweep = try SweepLoader.load(path: sweepFile)
        await #expect(throws: ScenarioError.self) { _ = try await SweepRunner.run(sweep, into: project, jobs: 1) }
        #expect(throws: ScenarioError.self) { _ = try SweepRunner.merge([project]) }
        try expectProjectIntact(scratch)

        _ = try await Comparison.run(variants, replications: 1, jobs: 1, into: scratch.path("cmp"))
        #expect(ResultFolder.kind(of: URL(fileURLWithPath: scratch.path("cmp"))) == .compare)
        try expectRefused(scratch.path("cmp"), "is a result folder of another FleetSim command")
        #expect(scratch.exists("cmp/compare.csv"))
        // A sweep folder, then merged into a new folder: both marked, both recognised.
        _ = try await SweepRunner.run(sweep, into: scratch.path("sw"), jobs: 1)
        let merged = try SweepRunner.merge([scratch.path("sw")], into: scratch.path("merged"))
        #expect(ResultFolder.kind(of: merged) == .sweep)
        #expect(throws: ScenarioError.self) { _ = try SweepRunner.merge([scratch.path("sw")], into: project) }
        try expectProjectIntact(scratch)
    }

    /// Staging folders of processes that are gone are removed by the next run; one of a live process, and
    /// anything with such a name that FleetSim did not write, are left alone.
    @Test func staleStagingOfDeadProcessesIsCleanedUp() throws {
        let scratch = try ScratchFolder()
        let dead: pid_t = 2_147_483_000  // above Linux's pid_max: no such process
        for name in [".out.partial-\(dead)", ".out.old-\(dead)"] {
            try FileManager.default.createDirectory(atPath: scratch.path(name), withIntermediateDirectories: false)
            _ = try scratch.write("\(name)/\(ResultFolder.markerName)", ResultFolder.marker(.run))
            _ = try scratch.write("\(name)/timeline.csv", "window_start_s\n")
        }
        try FileManager.default.createDirectory(atPath: scratch.path(".out.partial-\(getppid())"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: scratch.path(".out.partial-\(dead + 1)"), withIntermediateDirectories: false)
        _ = try scratch.write(".out.partial-\(dead + 1)/thesis.tex", "mine")
        _ = try ScenarioRunner.run(try scenario(), into: scratch.path("out"))
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(left == [".out.partial-\(dead + 1)", ".out.partial-\(getppid())", "out"].sorted())
    }

    /// JSON has no NaN: an interval of one replication, a cost per token without tokens, are null.
    @Test func nonFiniteNumbersAreWrittenAsNull() async throws {
        let value = JSONValue.object([("a", .number(.nan)), ("b", .number(.infinity)), ("c", .number(-.infinity)), ("d", .number(1.5))])
        #expect(value.text() == "{\n  \"a\": null,\n  \"b\": null,\n  \"c\": null,\n  \"d\": 1.5\n}\n")
        let scratch = try ScratchFolder()
        let quickstart = try ScenarioLoader.decode(
            yaml: BuiltInScenarios.quickstart, file: "quickstart.yaml", overrides: [try Override("duration=1h")])
        let outcome = try await ScenarioRunner.run(quickstart, into: scratch.path("out"), replications: 2, jobs: 1)
        let text = try String(contentsOf: outcome.directory.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(!text.contains("nan") && !text.contains("inf"))
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }
}
