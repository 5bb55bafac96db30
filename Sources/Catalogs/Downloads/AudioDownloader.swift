import AsyncHTTPClient
import Foundation
import NIOCore

/// Downloads audio a user points at: streamed with a byte cap, within a time limit, following at most a
/// few redirects, each hop checked by the `AddressGuard` (`GuardedHTTP`).
public final class AudioDownloader: Sendable {
    public let maxBytes: Int
    public let timeout: Duration
    public let maxRedirects: Int
    public let guardrail: AddressGuard

    /// - Parameters:
    ///   - maxBytes: bodies larger than this fail with `DownloadError.tooLarge` (uploads have the same cap).
    ///   - timeout: for the whole download, redirects included.
    ///   - allowPrivateAddresses: `MUSICFORGE_ALLOW_PRIVATE_URLS`; for tests and local setups only.
    public init(
        maxBytes: Int = 50 * 1024 * 1024, timeout: Duration = .seconds(20), maxRedirects: Int = 3,
        allowPrivateAddresses: Bool = false
    ) {
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        guardrail = AddressGuard(allowPrivateAddresses: allowPrivateAddresses)
    }

    /// The body at `urlString`, or why not.
    public func download(_ urlString: String) async throws(DownloadError) -> [UInt8] {
        guard let url = URL(string: urlString) else { throw .invalidURL(urlString) }
        let result: Result<[UInt8], DownloadError> = await withTaskGroup(of: Result<[UInt8], DownloadError>?.self) {
            group in
            group.addTask {
                do throws(DownloadError) { return .success(try await self.follow(url)) } catch { return .failure(error) }
            }
            group.addTask { [timeout] in
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .failure(.timedOut)
            }
            var outcome: Result<[UInt8], DownloadError> = .failure(.timedOut)
            for await finished in group {
                guard let finished else { continue }
                outcome = finished
                break
            }
            group.cancelAll()
            return outcome
        }
        return try result.get()
    }

    private func follow(_ start: URL) async throws(DownloadError) -> [UInt8] {
        let http = GuardedHTTP(guardrail: guardrail, maxRedirects: maxRedirects)
        let response: HTTPClientResponse
        do {
            response = try await http.get(
                start, headers: [("User-Agent", "MusicForge")], deadline: .now() + TimeAmount(timeout) + .seconds(1))
        } catch {
            switch error {
            case .refused(let refusal): throw refusal
            case .tooManyRedirects: throw .tooManyRedirects
            case .transport(let failure): throw Task.isCancelled ? .timedOut : .transport(String(describing: failure))
            }
        }
        guard response.status.code == 200 else { throw .status(Int(response.status.code)) }
        return try await body(of: response)
    }

    private func body(of response: HTTPClientResponse) async throws(DownloadError) -> [UInt8] {
        if let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > maxBytes {
            throw .tooLarge(limit: maxBytes)
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in response.body {
                guard bytes.count + buffer.readableBytes <= maxBytes else { throw DownloadError.tooLarge(limit: maxBytes) }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch let error as DownloadError {
            throw error
        } catch {
            throw Task.isCancelled ? .timedOut : .transport(String(describing: error))
        }
        return bytes
    }
}
