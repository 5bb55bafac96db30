/// A language model that turns a query into filters JSON.
///
/// Implementations speak one wire protocol each (OpenAI-compatible Chat Completions, Anthropic
/// Messages); retries, the time limit and the circuit breaker are theirs to apply through
/// ``LLMTransport``. The answer is the filters object as JSON bytes, not yet validated.
public protocol LLMProvider: Sendable {
    /// "openai" or "anthropic".
    var name: String { get }
    /// The model asked.
    var model: String { get }
    /// The filters object the model gives for `query`, as JSON.
    func filtersJSON(for query: String, prompt: Prompt, deadline: ContinuousClock.Instant) async throws(LLMError) -> [UInt8]
}
