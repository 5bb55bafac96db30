import AsyncHTTPClient
import Foundation
import NIOCore

/// Downloads audio a user points at: streamed with a byte cap, within a time limit, following at most a
/// few redirects, each hop checked by the `AddressGuard`.
public final class AudioDownloader: Sendable {
    public let maxBytes: Int
    public let timeout: Duration
    public let maxRedirects: Int
    public let guardrail: AddressGuard
    private var client: HTTPClient { Self.client }

    /// One client for every downloader of the process, like `HTTPClient.shared` but with redirects left
    /// to us, so that every hop passes the guard. Never shut down: it lives as long as the process.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

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
        var url = start
        for _ in 0...maxRedirects {
            try guardrail.check(url)
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "User-Agent", value: "MusicForge")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds) + 1))
            } catch {
                throw Task.isCancelled ? .timedOut : .transport(String(describing: error))
            }
            switch response.status.code {
            case 200:
                return try await body(of: response)
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: url)
                else { throw .status(Int(response.status.code)) }
                url = next.absoluteURL
            default:
                throw .status(Int(response.status.code))
            }
        }
        throw .tooManyRedirects
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
