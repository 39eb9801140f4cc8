import CLibvirt
import FoundationEssentials

/// A blocking data stream between this process and the daemon (`virStreamPtr`),
/// used for consoles and volume uploads and downloads. Freed in `deinit`.
public final class Stream: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection the stream runs over.
    public let connection: Connection
    /// Removes a `StreamEventWatcher`'s callback: libvirt's must go before the
    /// stream ends, or its timer keeps the stream alive.
    private var watcherRemoval: (@Sendable () -> Void)?
    private let watcherLock = Lock()

    /// Creates a stream on `connection`, blocking unless `flags` has `.nonBlocking`.
    /// The corresponding C function is `virStreamNew`.
    public init(connection: Connection, flags: StreamFlags = []) throws {
        self.connection = connection
        handle = try Call.pointer { virStreamNew(connection.pointer, flags.rawValue) }
    }

    /// Frees the handle when the last Swift reference goes.
    /// The corresponding C function is `virStreamFree`.
    deinit { virStreamFree(handle) }

    /// Reads up to `maximum` bytes; an empty result means the other end closed the stream.
    /// Blocks until data arrives.
    /// The corresponding C function is `virStreamRecv`.
    public func receive(maximum: Int = 64 * 1024) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = try Call.status {
            buffer.withUnsafeMutableBytes { raw in
                virStreamRecv(handle, raw.baseAddress?.assumingMemoryBound(to: CChar.self), maximum)
            }
        }
        return Array(buffer.prefix(Int(count)))
    }

    /// Writes all of `bytes`, blocking while the daemon is not ready for more.
    /// The corresponding C function is `virStreamSend`.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = try Call.status {
                bytes.withUnsafeBytes { raw in
                    virStreamSend(handle, raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), bytes.count - offset)
                }
            }
            offset += Int(sent)
        }
    }

    /// Ends the stream cleanly after all data was sent or received (and
    /// cancels its `StreamEventWatcher`, if any).
    /// The corresponding C function is `virStreamFinish`.
    public func finish() throws {
        removeWatcher()
        try Call.status { virStreamFinish(handle) }
    }

    /// Ends the stream at once, discarding data in flight (and cancels its
    /// `StreamEventWatcher`, if any).
    /// The corresponding C function is `virStreamAbort`.
    public func abort() {
        removeWatcher()
        _ = virStreamAbort(handle)
    }

    /// Records (or with nil, forgets) how to cancel the stream's event watcher.
    func setWatcherRemoval(_ removal: (@Sendable () -> Void)?) {
        watcherLock.lock()
        defer { watcherLock.unlock() }
        watcherRemoval = removal
    }

    private func removeWatcher() {
        watcherLock.lock()
        let removal = watcherRemoval
        watcherRemoval = nil
        watcherLock.unlock()
        removal?()
    }
}

extension Domain {
    /// Connects `stream` to the guest's console or serial port (`device` nil:
    /// the first console). With `force`, takes it over from another client.
    /// The corresponding C function is `virDomainOpenConsole`.
    public func openConsole(_ stream: Stream, device: String? = nil, force: Bool = false) throws {
        let flags: UInt32 = force ? VIR_DOMAIN_CONSOLE_FORCE.rawValue : 0
        try Call.status { virDomainOpenConsole(handle, device, stream.handle, flags) }
    }
}

extension StorageVolume {
    /// Uploads `length` bytes from `offset` into the volume through `stream`;
    /// send the data with `stream.send`, then call `stream.finish()`.
    /// Works over remote connections, unlike writing the volume's file. With
    /// `.sparseStream`, send holes with `stream.sendHole` or `sparseSendAll`.
    /// The corresponding C function is `virStorageVolUpload`.
    public func upload(
        _ stream: Stream, offset: UInt64 = 0, length: UInt64, flags: StorageVolumeUploadFlags = []
    ) throws {
        try Call.status { virStorageVolUpload(handle, stream.handle, offset, length, flags.rawValue) }
    }

    /// Downloads `length` bytes (0: to the end) from `offset` through `stream`;
    /// read them with `stream.receive` until it returns no bytes. With
    /// `.sparseStream`, holes arrive as lengths (`receive(maximum:flags:)` with
    /// `.stopAtHole`, or `sparseReceiveAll`).
    /// The corresponding C function is `virStorageVolDownload`.
    public func download(
        _ stream: Stream, offset: UInt64 = 0, length: UInt64 = 0, flags: StorageVolumeDownloadFlags = []
    ) throws {
        try Call.status { virStorageVolDownload(handle, stream.handle, offset, length, flags.rawValue) }
    }
}

/// Flags for `StorageVolume.upload` (`virStorageVolUploadFlags`).
public struct StorageVolumeUploadFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The stream carries holes as lengths; the volume keeps them unallocated.
    public static let sparseStream = Self(rawValue: VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM.rawValue)
}

/// Flags for `StorageVolume.download` (`virStorageVolDownloadFlags`).
public struct StorageVolumeDownloadFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The stream carries the volume's holes as lengths instead of zeros.
    public static let sparseStream = Self(rawValue: VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM.rawValue)
}
