import AsyncHTTPClient
import Foundation
import NIOCore

/// GET requests whose every hop passes the `AddressGuard`. AsyncHTTPClient follows no redirect itself:
/// this does, checking each new address before asking it, so no server can send us on to an address
/// the guard refuses. Audio downloads and catalogue calls both go through it.
struct GuardedHTTP: Sendable {
    /// One client for the process, like `HTTPClient.shared` but with redirects left to `get`. Never shut
    /// down: it lives as long as the process.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    enum Failure: Error {
        /// The guard refused this hop's URL.
        case refused(DownloadError)
        case tooManyRedirects
        /// The request failed on the way (connection, timeout, cancellation).
        case transport(any Error)
    }

    let guardrail: AddressGuard
    let maxRedirects: Int

    /// The first answer to GET `url` that is not a redirect, after at most `maxRedirects` of them, each
    /// hop checked by the guard first. A redirect without a usable `Location` is returned as it is.
    func get(_ url: URL, headers: [(String, String)], deadline: NIODeadline) async throws(Failure) -> HTTPClientResponse {
        var url = url
        for _ in 0...maxRedirects {
            do {
                try guardrail.check(url)
            } catch {
                throw .refused(error)
            }
            var request = HTTPClientRequest(url: url.absoluteString)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response: HTTPClientResponse
            do {
                response = try await Self.client.execute(request, deadline: deadline)
            } catch {
                throw .transport(error)
            }
            guard [301, 302, 303, 307, 308].contains(response.status.code),
                let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: url)
            else { return response }
            url = next.absoluteURL
        }
        throw .tooManyRedirects
    }
}
