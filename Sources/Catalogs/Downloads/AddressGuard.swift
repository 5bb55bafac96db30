import Foundation

/// The server-side request forgery guard: a URL a user supplies may only reach public addresses.
///
/// Every address the host resolves to must be public (not loopback, private, carrier-grade NAT,
/// link-local, multicast, reserved or unspecified, in IPv4 or IPv6, IPv4-mapped included), checked
/// before each request and again on every redirect. A DNS answer that changes between this check and
/// the connection (rebinding) is not covered; deployments that need that too put an egress proxy in front.
public struct AddressGuard: Sendable {
    /// Lets loopback and private addresses through: for tests and local setups only
    /// (`MUSICFORGE_ALLOW_PRIVATE_URLS=1`).
    public var allowPrivateAddresses: Bool

    public init(allowPrivateAddresses: Bool = false) {
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// Checks `url`: http or https, and a host whose every address is allowed.
    public func check(_ url: URL) throws(DownloadError) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host,
            !host.isEmpty
        else { throw .invalidURL(url.absoluteString) }
        guard !allowPrivateAddresses else { return }
        let addresses = try Self.resolve(host)
        guard !addresses.isEmpty else { throw .unresolvable(host: host) }
        for address in addresses where !Self.isPublic(address) { throw .forbiddenAddress(host: host) }
    }

    /// The host's addresses as raw bytes (4 for IPv4, 16 for IPv6).
    static func resolve(_ host: String) throws(DownloadError) -> [[UInt8]] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { throw .unresolvable(host: host) }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    let ipv4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(withUnsafeBytes(of: ipv4) { Array($0) })
                case AF_INET6:
                    let ipv6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(withUnsafeBytes(of: ipv6) { Array($0) })
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    /// True for addresses on the public internet.
    static func isPublic(_ address: [UInt8]) -> Bool {
        if address.count == 4 { return isPublicIPv4(address) }
        guard address.count == 16 else { return false }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as IPv4.
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPublicIPv4(Array(address[12..<16]))
        }
        if address[0..<15].allSatisfy({ $0 == 0 }) { return false }  // :: and ::1
        if address[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if address[0] == 0xFF { return false }  // multicast
        if address[0] == 0x20 && address[1] == 0x01 && address[2] == 0x0D && address[3] == 0xB8 { return false }  // documentation
        return true
    }

    private static func isPublicIPv4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): false
        case (100, 64...127): false  // carrier-grade NAT
        case (169, 254): false  // link-local, cloud metadata
        case (172, 16...31), (192, 168): false
        case (192, 0) where a[2] == 0 || a[2] == 2: false  // IETF protocol assignments, documentation
        case (198, 18...19): false  // benchmarking
        case (198, 51) where a[2] == 100, (203, 0) where a[2] == 113: false  // documentation
        case (224...255, _): false  // multicast, reserved, broadcast
        default: true
        }
    }
}
