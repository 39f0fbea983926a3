import FleetSim
import FleetSimIO
import Foundation
import Testing

/// A scratch folder for one test, removed when the test ends.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fleetsim-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

/// A small valid scenario that tests break one piece of at a time.
let validScenario = """
    name: small
    duration: 1h
    traffic:
      rate: 5/s
    deployments:
      api:
        instance: {gpu: T4, gpus: 1, onDemand: 0.5}
        service: {time: {exponential: {mean: 200ms}}}
        pools:
          - {purchase: onDemand, count: 2}
    """

/// The repository's folder.
let repositoryFolder = URL(fileURLWithPath: #filePath)  // Tests/FleetSimIOTests/Support/ScenarioTestSupport.swift
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The path of the repository's `scenarios/` folder.
let scenariosFolder = repositoryFolder.appendingPathComponent("scenarios")
