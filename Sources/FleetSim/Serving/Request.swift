/// One request in flight: when it arrived and what it asks for. A small value; requests are never objects.
public struct Request: Sendable {
    public var arrival: Double
    public var classIndex: Int32
    public var promptTokens: Int32
    public var outputTokens: Int32

    public init(arrival: Double, classIndex: Int32, promptTokens: Int32 = 0, outputTokens: Int32 = 0) {
        self.arrival = arrival
        self.classIndex = classIndex
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}
