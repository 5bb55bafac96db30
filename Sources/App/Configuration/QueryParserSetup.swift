import Logging
import QueryParsing

extension AppConfiguration {
    /// The configured LLM with its prompt, or nil when `LLM_PROVIDER` is `none`.
    ///
    /// - Throws: ``ConfigurationError`` naming `MUSICFORGE_PROMPTS` when an LLM is configured and the
    ///   prompt files cannot be read.
    public func makeLLM() throws(ConfigurationError) -> QueryParser.LLM? {
        guard llmProvider != .none else { return nil }
        guard let promptsDirectory else {
            throw .missing(name: "MUSICFORGE_PROMPTS", hint: "an LLM is configured, so point it at the prompts folder")
        }
        let prompt: Prompt
        do {
            prompt = try Prompt.load(from: promptsDirectory)
        } catch {
            throw .malformed(name: "MUSICFORGE_PROMPTS", value: promptsDirectory, expected: "a readable prompts folder (\(error))")
        }
        let provider: any LLMProvider
        switch llmProvider {
        case .openai: provider = OpenAIChatProvider(baseURL: openAIBaseURL, apiKey: openAIAPIKey, model: llmModel)
        case .anthropic: provider = AnthropicMessagesProvider(baseURL: anthropicBaseURL, apiKey: anthropicAPIKey ?? "", model: llmModel)
        case .none: return nil
        }
        return QueryParser.LLM(provider: provider, prompt: prompt, timeout: llmTimeout)
    }
}
