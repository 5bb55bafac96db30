import CFFmpeg
import Foundation

/// The bytes FFmpeg reads, through our own read and seek callbacks, so that a file and a buffer in
/// memory take the same path and every byte read counts against the cap.
final class InputSource {
    private enum Storage {
        case file(Int32, size: Int64)
        case memory([UInt8])
    }

    private let storage: Storage
    private var position: Int64 = 0
    private let maxBytes: Int
    private let deadline: ContinuousClock.Instant
    private(set) var bytesRead = 0
    private(set) var exceededBytes = false

    init(path: String, maxBytes: Int, deadline: ContinuousClock.Instant) throws(DecodingError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .unreadable("not a regular file")
        }
        storage = .file(descriptor, size: Int64(info.st_size))
        self.maxBytes = maxBytes
        self.deadline = deadline
    }

    init(bytes: [UInt8], maxBytes: Int, deadline: ContinuousClock.Instant) {
        storage = .memory(bytes)
        self.maxBytes = maxBytes
        self.deadline = deadline
    }

    deinit {
        if case .file(let descriptor, _) = storage { close(descriptor) }
    }

    var size: Int64 {
        switch storage {
        case .file(_, let size): size
        case .memory(let bytes): Int64(bytes.count)
        }
    }

    var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    /// Copies up to `count` bytes into `buffer`; FFmpeg's read callback contract.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int32 {
        guard !isPastDeadline else { return mf_averror_exit() }
        let remaining = Int(max(0, size - position))
        guard remaining > 0 else { return mf_averror_eof() }
        let wanted = min(count, remaining, maxBytes - bytesRead)
        guard wanted > 0 else {
            exceededBytes = true
            return mf_averror_exit()
        }
        let got: Int
        switch storage {
        case .file(let descriptor, _):
            got = pread(descriptor, buffer, wanted, off_t(position))
            guard got > 0 else { return got == 0 ? mf_averror_eof() : mf_averror_exit() }
        case .memory(let bytes):
            bytes.withUnsafeBufferPointer { source in
                buffer.update(from: source.baseAddress! + Int(position), count: wanted)
            }
            got = wanted
        }
        position += Int64(got)
        bytesRead += got
        return Int32(got)
    }

    /// FFmpeg's seek callback contract, `AVSEEK_SIZE` included.
    func seek(offset: Int64, whence: Int32) -> Int64 {
        if whence & AVSEEK_SIZE != 0 { return size }
        let target: Int64
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = position + offset
        case SEEK_END: target = size + offset
        default: return -1
        }
        guard target >= 0, target <= size else { return -1 }
        position = target
        return target
    }
}
