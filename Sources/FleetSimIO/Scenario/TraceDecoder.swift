import FleetSim

/// Reads `traffic.trace` and checks the trace itself in one streaming pass before anything runs: every row must
/// parse, class names must be known, and the replay window must hold requests. The pass also settles what depends on
/// the trace's content (the loop period and a scale given as a target rate), so the model gets plain numbers.
struct TraceDecoder {
    let baseDirectory: String

    func decode(_ value: ScenarioValue, classes: [RequestClass]) throws -> TraceReplay {
        let fields = try value.mapping(
            allowed: ["file", "format", "speedup", "start", "duration", "loop", "scale", "prefixCache"])
        let fileValue = try fields.required("file", "the trace to replay (Azure CSV, Mooncake JSONL or FleetSim CSV)")
        let path = try fileValue.existingFile(from: baseDirectory)
        var format: TraceFormat?
        if let formatValue = fields["format"] {
            guard let named = TraceFormat(rawValue: try formatValue.string()) else {
                throw formatValue.expected("one of \(TraceFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = named
        }
        var replay = TraceReplay(path: path, format: format)
        replay.speedup = try fields["speedup"]?.number("a positive speed-up factor", in: 1e-6...1e6) ?? 1
        replay.startSeconds = try fields["start"]?.duration(in: ScenarioDecoder.nonNegative) ?? 0
        replay.durationSeconds = try fields["duration"]?.duration(in: 1e-3...ScenarioDecoder.maxDurationSeconds)

        let census = try scan(replay, fileKeyPath: fileValue.path, classes: classes)
        replay.format = census.format
        guard census.rows > 0 else {
            throw value.error("no request of \(path) falls in the replay window starting at "
                + "\(Quantities.format(seconds: replay.startSeconds)) (the trace spans \(Quantities.format(seconds: census.traceSpan)))")
        }
        // Without a window, a pass lasts from `start` to the last request plus one mean gap, so looping keeps the
        // trace's own spacing across the seam.
        let meanGap = census.rows > 1 ? (census.lastTime - census.firstTime) / Double(census.rows - 1) : 1
        let windowLength = replay.durationSeconds ?? (census.lastTime - replay.startSeconds + meanGap)

        if let loopValue = fields["loop"] {
            if case .scalar = loopValue.node, (try? loopValue.bool()) != nil {
                // A pass longer than any horizon never repeats: looping changes nothing, and the period is left out
                // (it could not be written back as a valid duration).
                let repeats = windowLength.isFinite && windowLength <= ScenarioDecoder.maxDurationSeconds
                replay.loopPeriodSeconds = try loopValue.bool() && repeats ? windowLength : nil
            } else {
                let period = try loopValue.duration(in: 1e-3...ScenarioDecoder.maxDurationSeconds)
                // A shorter period would start the next pass before this one ends: arrivals out of order.
                let span = census.lastTime - census.firstTime
                guard period > span else {
                    throw loopValue.error("a loop period of \(Quantities.format(seconds: period)) is shorter than the "
                        + "\(Quantities.format(seconds: span)) the replayed requests span; give true or a longer period")
                }
                replay.loopPeriodSeconds = period
            }
        }
        if let prefixValue = fields["prefixCache"] {
            guard census.rowsWithBlocks > 0 else {
                throw prefixValue.error("\(path) has no prefix blocks to cache: only Mooncake JSONL traces carry them, "
                    + "as \"hash_ids\" (for a share of every prompt, give promptCache: {share: …} on a class or a deployment)")
            }
            replay.prefixCache = try Self.decodePrefixCache(prefixValue)
        }
        if let scaleValue = fields["scale"] {
            if scaleValue.scalarText?.contains("/") == true {
                // A target mean rate: the factor that brings the window's own rate (after speed-up) to it.
                let target = try scaleValue.rate(in: 1e-9...ScenarioDecoder.maxRatePerSecond)
                let ownRate = Double(census.rows) / (windowLength / replay.speedup)
                replay.scale = target / ownRate
                guard replay.scale <= 1e6 else {
                    throw scaleValue.error("reaching \(Quantities.shortest(target))/s from the window's own "
                        + "\(Quantities.shortest(ownRate))/s would replay each request \(Quantities.shortest(replay.scale)) times; "
                        + "at most 1000000 (speed the trace up with 'speedup' instead)")
                }
            } else {
                replay.scale = try scaleValue.number("a factor (e.g. 2.5) or a target mean rate (e.g. 40/s)", in: 0...1e6)
            }
        }
        return replay
    }

    /// `prefixCache: {capacity: 2000000, blockTokens: 512}`: the KV cache, in tokens, that the trace's prefix blocks
    /// meet; without a capacity it never evicts.
    static func decodePrefixCache(_ value: ScenarioValue) throws -> PrefixCacheSpec {
        let fields = try value.mapping(allowed: ["capacity", "blockTokens"])
        var spec = PrefixCacheSpec()
        if let blockValue = fields["blockTokens"] {
            spec.blockTokens = try blockValue.integer("the tokens per hashed block (512 in the Mooncake trace)", in: 1...1_000_000)
        }
        if let capacityValue = fields["capacity"] {
            let capacity = try capacityValue.integer("the tokens of KV cache that hold prefixes (e.g. 4000000)",
                                                     in: 0...1_000_000_000_000)
            spec.capacityTokens = capacity
        }
        return spec
    }

    struct Census {
        var format: TraceFormat
        var rows = 0
        /// Rows with prefix block hashes (Mooncake's `hash_ids`).
        var rowsWithBlocks = 0
        var firstTime = 0.0
        var lastTime = 0.0
        var traceSpan = 0.0
    }

    /// Reads the whole trace once; counts the requests in the window and checks every row.
    private func scan(_ replay: TraceReplay, fileKeyPath: String, classes: [RequestClass]) throws -> Census {
        let known = Set(classes.map(\.name))
        do {
            let reader = try TraceReader(path: replay.path, format: replay.format)
            var census = Census(format: reader.format)
            let windowEnd = replay.durationSeconds.map { replay.startSeconds + $0 } ?? .infinity
            while let record = try reader.next() {
                census.traceSpan = record.timeSeconds
                if let name = record.className, !known.contains(name) {
                    throw TraceError(file: replay.path, line: reader.lineNumber,
                                     message: "class '\(name)' is not one of traffic.classes (\(known.sorted().joined(separator: ", ")))")
                }
                guard record.timeSeconds >= replay.startSeconds, record.timeSeconds < windowEnd else { continue }
                if census.rows == 0 { census.firstTime = record.timeSeconds }
                census.rows += 1
                if !record.prefixBlocks.isEmpty { census.rowsWithBlocks += 1 }
                census.lastTime = record.timeSeconds
            }
            return census
        } catch let error as TraceError {
            throw ScenarioError(error, keyPath: fileKeyPath)
        }
    }
}
