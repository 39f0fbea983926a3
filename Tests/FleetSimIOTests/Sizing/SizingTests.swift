import FleetSim
@testable import FleetSimIO
import Foundation
import Testing

/// `fleetsim size` against answers known in closed form: the smallest M/M/c fleet whose response-time p99 meets a
/// threshold (Erlang C), and the reserved count a price ratio implies for a known daily load.
@Suite struct SizingTests {
    /// P(T > t) for the M/M/c FCFS response time T = W + S (service rate μ): with probability 1 − C the request does
    /// not wait and T ~ Exp(μ); otherwise W ~ Exp(cμ − λ), and W + S is hypoexponential. Erlang C is computed from
    /// its sum form in logarithms, independently of the recursion the other suites use.
    static func responseTail(_ t: Double, servers c: Int, arrivalRate lambda: Double, serviceRate mu: Double = 1) -> Double {
        let a = lambda / mu
        let logTerms = (0..<c).map { k in Double(k) * log(a) - lgamma(Double(k) + 1) }
        let logLast = Double(c) * log(a) - lgamma(Double(c) + 1) + log(Double(c) / (Double(c) - a))
        let largest = max(logTerms.max()!, logLast)
        let sum = logTerms.reduce(0) { $0 + exp($1 - largest) } + exp(logLast - largest)
        let waitProbability = exp(logLast - largest) / sum
        let theta = Double(c) * mu - lambda
        // At θ = μ the two rates coincide and W + S is Erlang-2.
        let sumTail = abs(theta - mu) < 1e-12 ? (1 + mu * t) * exp(-mu * t)
            : (theta * exp(-mu * t) - mu * exp(-theta * t)) / (theta - mu)
        return (1 - waitProbability) * exp(-mu * t) + waitProbability * sumTail
    }

    static func quantile(_ p: Double, servers c: Int, arrivalRate lambda: Double) -> Double {
        var low = 0.0
        var high = 1_000.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if responseTail(mid, servers: c, arrivalRate: lambda) > 1 - p { low = mid } else { high = mid }
        }
        return low
    }

    /// One deployment with exponential service (mean 1 s) on one on-demand replica.
    static func exponentialService(duration: String, rate: String, pricePerHour: Double, slo: String) -> String {
        """
        duration: \(duration)
        traffic: {rate: \(rate)}
        deployments:
          model:
            instance: {gpu: T4, gpus: 1, onDemand: \(pricePerHour)}
            service: {time: {exponential: {mean: 1s}}}
            pools: [{purchase: onDemand, count: 1}]
        slo:
          \(slo)
        """
    }

    /// Exponential service (mean 1 s) on a fixed on-demand fleet with a central queue, 4 hours at `arrivalRate`: M/M/c.
    /// The e2e p99 threshold sits between the closed-form p99 at `answer` replicas and at one fewer (their geometric
    /// mean), where the attainments differ by at least 0.4 points, so `answer` is the smallest fleet that meets it.
    static func erlangC(arrivalRate lambda: Double, answer: Int) -> String {
        let threshold = (quantile(0.99, servers: answer, arrivalRate: lambda)
            * quantile(0.99, servers: answer - 1, arrivalRate: lambda)).squareRoot()
        return """
            name: mmc
            seed: 3
            duration: 4h
            window: 30m
            warmup: 10m
            traffic: {rate: \(lambda)/s}
            deployments:
              model:
                instance: {gpu: T4, gpus: 1, onDemand: 1}
                service: {time: {exponential: {mean: 1s}}}
                queue: {capacity: 100000}
                pools: [{purchase: onDemand, count: 1}]
            slo:
              e2e: {p99: \(String(format: "%.4f", threshold))s}
            """
    }

    static func write(_ scratch: ScratchFolder, scenario: String, sizing: String) throws -> String {
        _ = try scratch.write("base.yaml", scenario)
        return try scratch.write("size.yaml", sizing)
    }

    /// An M/M/c fleet (`erlangC`) whose threshold lies between the closed-form p99 at the answer c₀ and at c₀ − 1:
    /// `size` must find c₀ and have seen c₀ − 1 miss.
    @Test(arguments: [(3.5, 5), (8.0, 10), (16.0, 18)])
    func findsTheErlangCFleet(_ lambda: Double, _ answer: Int) async throws {
        let scratch = try ScratchFolder()
        let path = try Self.write(scratch, scenario: Self.erlangC(arrivalRate: lambda, answer: answer),
                                  sizing: "scenario: base.yaml\nreserved: []\nreplications: 5\nmaxReplicas: 64\ngrowth: []\n")
        let outcome = try await SizingSearch.run(try SizingLoader.load(path: path), jobs: 2)
        let result = try #require(outcome.recommendation)
        #expect(result.capacity?.replicas == answer, "probes \(result.probes)")
        #expect(result.probes.contains { $0.replicas == answer - 1 && !$0.met }, "probes \(result.probes)")
        // On demand only: the fleet is the fixed one, at 1 USD an hour a replica.
        let fleet = try #require(result.best)
        #expect(fleet.reserved == 0 && fleet.onDemandMin == answer)
        #expect(abs(fleet.evaluation.cost.mean - Double(answer) * 4) < 1e-6)
    }

    /// The same fleets with the capacity search bracketed by the analytic engine (`size --engine analytic`): the
    /// discrete-event engine still decides, so the answer is the same and c₀ − 1 was seen to miss in it; the
    /// bracket around the analytic answer needs fewer discrete-event probes than doubling from one.
    @Test(arguments: [(3.5, 5), (16.0, 18)])
    func analyticPruningFindsTheSameFleetWithFewerDiscreteEventProbes(_ lambda: Double, _ answer: Int) async throws {
        let scratch = try ScratchFolder()
        let path = try Self.write(scratch, scenario: Self.erlangC(arrivalRate: lambda, answer: answer),
                                  sizing: "scenario: base.yaml\nreserved: []\nreplications: 5\nmaxReplicas: 64\ngrowth: []\n")
        var spec = try SizingLoader.load(path: path)
        let plain = try #require(try await SizingSearch.run(spec, jobs: 2).recommendation)
        spec.prunesAnalytically = true
        let pruned = try #require(try await SizingSearch.run(spec, jobs: 2).recommendation)
        #expect(pruned.capacity?.replicas == answer, "probes \(pruned.probes)")
        #expect(pruned.probes.contains { $0.replicas == answer - 1 && !$0.met }, "probes \(pruned.probes)")
        #expect(pruned.probes.count < plain.probes.count, "pruned \(pruned.probes), plain \(plain.probes)")
    }

    /// A base scenario the analytic engine cannot compute is refused before any run, naming what it does not model.
    @Test func analyticPruningRefusesWhatTheEngineDoesNotModel() async throws {
        let scratch = try ScratchFolder()
        let batched = Self.erlangC(arrivalRate: 3.5, answer: 5).replacingOccurrences(
            of: "    queue: {capacity: 100000}", with: "    queue: {capacity: 100000}\n    batching: {mode: window, window: 10ms, maxBatch: 4}")
        let path = try Self.write(scratch, scenario: batched, sizing: "scenario: base.yaml\nreserved: []\nreplications: 2\n")
        var spec = try SizingLoader.load(path: path)
        spec.prunesAnalytically = true
        let error = await #expect(throws: ScenarioError.self) { _ = try await SizingSearch.run(spec, jobs: 1) }
        #expect(error?.message.contains("window batching") == true, "\(error?.description ?? "")")
    }

    /// Deterministic arrivals on a daily curve (10/s mean, peak-to-trough 4) and constant 1 s service: a window
    /// needs ⌈λ̄_w · 1 s⌉ replicas, λ̄_w the curve's mean over the window. At a reserved price of 60 % of on demand,
    /// the reserved count is the smallest r whose share of windows needing more is at most 0.6; `size` must land
    /// within one instance of it.
    @Test func reservedCountIsThePriceRatioQuantile() async throws {
        let scratch = try ScratchFolder()
        let path = try Self.write(scratch, scenario: """
            name: daily
            seed: 1
            duration: 2d
            window: 1h
            traffic: {rate: 10/s, arrivals: deterministic, diurnal: {peakHour: 14, peakToTrough: 4}}
            deployments:
              model:
                instance: {gpu: T4, gpus: 1, onDemand: 1}
                service: {time: {constant: 1s}}
                pools: [{purchase: onDemand, count: 20}]
                autoscaler:
                  hpa: {minReplicas: 1, maxReplicas: 40, metric: {utilization: 70%}}
            slo:
              e2e: {p99: 1.05s}
            """, sizing: "scenario: base.yaml\nreserved: [{term: 1y, discount: 40%}]\nreplications: 1\nmaxReplicas: 64\ngrowth: []\n")
        let spec = try SizingLoader.load(path: path)
        let outcome = try await SizingSearch.run(spec, jobs: 2)
        let result = try #require(outcome.recommendation)
        let diurnal = try #require(spec.scenario.traffic.diurnal)
        let closedForm = (0..<48).map { hour -> Int in
            let steps = 360
            let mean = (0..<steps).reduce(0.0) { sum, step in
                sum + diurnal.multiplier(at: (Double(hour) + (Double(step) + 0.5) / Double(steps)) * 3_600)
            } / Double(steps)
            return Int((10 * mean - 1e-9).rounded(.up))
        }
        let peak = closedForm.max()!
        #expect(abs((result.capacity?.replicas ?? 0) - peak) <= 1, "capacity \(result.capacity?.replicas ?? 0), peak \(peak)")
        #expect(result.needed.count == 48)
        for (needed, exact) in zip(result.needed, closedForm) { #expect(abs(needed - exact) <= 1, "\(result.needed) vs \(closedForm)") }
        let expected = SizingSearch.reservedCount(needed: closedForm, priceRatio: 0.6)
        let chosen = SizingSearch.reservedCount(needed: result.needed, priceRatio: 0.6)
        #expect(abs(chosen - expected) <= 1, "reserved \(chosen), closed form \(expected)")
        // The rule itself: fewer than 60 % of windows need more than the count, and at least 60 % need more than one less.
        let above = { (r: Int) in Double(closedForm.filter { $0 > r }.count) / 48 }
        #expect(above(expected) <= 0.6 && (expected == 0 || above(expected - 1) > 0.6))
    }

    /// The files follow the contract: `size.json` names the fleet to buy and its objectives, `alternatives.csv` ranks
    /// every fleet, `recommended.yaml` runs as a scenario; with no feasible fleet the recommendation is null.
    @Test func filesFollowTheContract() async throws {
        let scratch = try ScratchFolder()
        let scenario = Self.exponentialService(duration: "2h", rate: "3/s", pricePerHour: 2, slo: "e2e: {p99: 8s}")
        let path = try Self.write(scratch, scenario: scenario,
                                  sizing: "scenario: base.yaml\nreserved: [{term: 1y, discount: 40%}]\nreplications: 3\ngrowth: [2]\n")
        let outcome = try await SizingSearch.run(try SizingLoader.load(path: path), jobs: 2)
        let folder = try SizingFiles.write(outcome, into: scratch.path("out"))
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("size.json"))) as? [String: Any])
        let recommendation = try #require(json["recommendation"] as? [String: Any])
        let model = try #require((recommendation["deployments"] as? [String: Any])?["model"] as? [String: Any])
        let reserved = try #require(model["reserved"] as? [String: Any])
        let fleet = try #require(outcome.recommendation?.best)
        #expect(reserved["count"] as? Int == fleet.reserved && reserved["term"] as? String == "1y")
        // A fixed fleet at 60 % of on demand: all of it reserved, 2 h × 0.6 × 2 USD per replica.
        #expect(fleet.reserved == outcome.recommendation?.capacity?.replicas)
        #expect(abs(fleet.evaluation.cost.mean - Double(fleet.reserved) * 2 * 2 * 0.6) < 1e-9)
        let cost = try #require(recommendation["cost"] as? [String: Any])
        let monthly = try #require((cost["monthly"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(monthly - fleet.evaluation.cost.mean * 365) < 1e-6)  // 730 h over a 2 h horizon
        let objectives = try #require(recommendation["objectives"] as? [String: Any])
        #expect((objectives["e2e"] as? [String: Any])?["met"] as? Bool == true)
        let csv = try String(contentsOf: folder.appendingPathComponent("alternatives.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.count == 2)
        let column = try #require(lines[0].firstIndex(of: "vs_best_monthly_usd"))
        #expect(Double(lines[1][column]) == 0)  // the best fleet paired with itself
        _ = try ScenarioLoader.load(path: folder.appendingPathComponent("recommended.yaml").path)

        let tight = try scratch.write("tight.yaml", "scenario: base.yaml\nmaxReplicas: 2\nreplications: 2\ngrowth: []\n")
        let infeasible = try await SizingSearch.run(try SizingLoader.load(path: tight), jobs: 2)
        #expect(infeasible.recommendation == nil)
        #expect(infeasible.candidates.first?.probes.map(\.replicas) == [1, 2])
        let none = try SizingFiles.write(infeasible, into: scratch.path("none"))
        let noneJSON = try String(contentsOf: none.appendingPathComponent("size.json"), encoding: .utf8)
        #expect(noneJSON.contains("\"recommendation\": null"))
    }

    /// A sizing file's mistakes are located: a scenario without an SLO, an unknown instance, a missing model, a term
    /// without a price, a mix that is not two types, or that cannot be judged.
    @Test(arguments: [
        ("slo:\n  e2e: {p99: 2s}\n", "", "scenario: base.yaml\n", 1, "scenario", "has no slo"),
        ("", "", "scenario: base.yaml\ncandidates: [{instance: aws/p5.48xlarg}]\n", 2, "candidates[0].instance", "did you mean"),
        ("", "", "scenario: base.yaml\nreserved: [{term: 1y}]\n", 2, "reserved[0]", "discount"),
        ("", "", "scenario: missing.yaml\n", 1, "scenario", "no such scenario file"),
        ("", "", "scenario: base.yaml\ncandidates:\n  - mix: [{instance: aws/g5.xlarge}]\n", 3, "candidates[0].mix",
         "two {instance, model}"),
        ("", "", "scenario: base.yaml\ncandidates:\n  - mix: [{instance: aws/g5.xlarge}, {instance: aws/g5.xlarge}]\n", 3,
         "candidates[0].mix[1]", "the same instance and model twice"),
        ("", "", "scenario: base.yaml\nperWindow: 99%\ncandidates:\n  - mix: [{instance: aws/g5.xlarge}, {instance: aws/g6.xlarge}]\n",
         2, "perWindow", "cannot judge a mix"),
        ("traffic: {rate: 1/s}\ndeployments:\n", "traffic: {rate: 1/s, classes: [{name: a, deployment: model}]}\n"
            + "deployments:\n  other:\n    instance: {gpu: T4, gpus: 1, onDemand: 1}\n    service: {time: {constant: 1s}}\n"
            + "    pools: [{purchase: onDemand, count: 1}]\n",
         "scenario: base.yaml\ndeployment: model\ncandidates:\n  - mix: [{instance: aws/g5.xlarge}, {instance: aws/g6.xlarge}]\n",
         4, "candidates[0]", "that deployment alone"),
    ])
    func mistakesAreLocated(_ remove: String, _ add: String, _ sizing: String, _ line: Int, _ keyPath: String, _ words: String) throws {
        let scratch = try ScratchFolder()
        var scenario = Self.exponentialService(duration: "1h", rate: "1/s", pricePerHour: 1, slo: "e2e: {p99: 2s}") + "\n"
        if !remove.isEmpty { scenario = scenario.replacingOccurrences(of: remove, with: add) }
        let path = try Self.write(scratch, scenario: scenario, sizing: sizing)
        let error = #expect(throws: ScenarioError.self) { _ = try SizingLoader.load(path: path) }
        #expect(error?.line == line && error?.keyPath == keyPath, "\(error?.description ?? "")")
        #expect(error?.message.contains(words) == true, "\(error?.description ?? "")")
    }

    /// A mix of two instance types with the same exponential service (generic models run at the same speed on any
    /// instance; only the price differs), λ = 8/s against the Erlang-C threshold whose single-type answer is 10:
    /// tiers behind a free-capacity router cannot beat one pooled queue, so every mix on the boundary has at least
    /// 10 replicas, and they lose little to it (at most 11). The boundary falls as the first count rises, each of its
    /// mixes has had one fewer of the second type miss, and the cheapest is confirmed; the files carry the router and
    /// its tiers, and recommended.yaml reads back as that fleet.
    @Test func aMixIsSizedAlongTheBoundaryThatHolds() async throws {
        let scratch = try ScratchFolder()
        let path = try Self.write(scratch, scenario: Self.erlangC(arrivalRate: 8, answer: 10), sizing: """
            scenario: base.yaml
            candidates:
              - mix: [{instance: aws/g5.xlarge}, {instance: aws/g6.xlarge}]
            reserved: []
            replications: 5
            maxReplicas: 64
            growth: []
            """)
        let outcome = try await SizingSearch.run(try SizingLoader.load(path: path), jobs: 2)
        let result = try #require(outcome.recommendation)
        let mix = try #require(result.mix)
        #expect(mix.alone == [10, 10])
        #expect(!mix.boundary.isEmpty)
        for (index, counts) in mix.boundary.enumerated() {
            #expect((10...11).contains(counts[0] + counts[1]), "\(mix.boundary)")
            #expect(counts[0] == index + 1)
            if index > 0 { #expect(counts[1] <= mix.boundary[index - 1][1]) }
            if counts[1] > 1 {
                #expect(mix.probes.contains { $0.counts == [counts[0], counts[1] - 1] && !$0.met }, "\(mix.probes)")
            }
        }
        // On demand only: the cheapest boundary mix at the catalog's prices, billed for 4 hours.
        let fleet = try #require(result.best)
        let prices = result.candidate.members.map(\.instance.onDemandPerHour)
        let cheapest = mix.boundary.map { Double($0[0]) * prices[0] + Double($0[1]) * prices[1] }.min()!
        #expect(fleet.evaluation.met && fleet.tiers.allSatisfy { $0.reserved == 0 })
        #expect(abs(fleet.evaluation.cost.mean - cheapest * 4) < 1e-6)

        let folder = try SizingFiles.write(outcome, into: scratch.path("out"))
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("size.json"))) as? [String: Any])
        let deployments = try #require((json["recommendation"] as? [String: Any])?["deployments"] as? [String: Any])
        let router = try #require((deployments["model"] as? [String: Any])?["router"] as? [String: Any])
        let tierNames = try #require(router["to"] as? [String])
        #expect(tierNames == ["model-g5-xlarge", "model-g6-xlarge"])
        let counts = tierNames.map { ((deployments[$0] as? [String: Any])?["onDemand"] as? [String: Any])?["min"] as? Int }
        #expect(counts == fleet.tiers.map(\.count))
        let recommended = try ScenarioLoader.load(path: folder.appendingPathComponent("recommended.yaml").path)
        #expect(recommended.deployments.map(\.name) == ["model"] + tierNames)
        #expect(recommended.deployments.dropFirst().map { $0.pools.reduce(0) { $0 + $1.count } } == fleet.tiers.map(\.count))
    }
}
